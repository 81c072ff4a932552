/* testnoprobe.c: a format module without a probe, for the tests of
 * sniffing: its magic bytes alone choose it (score 50).
 *
 * A file is TEST_MODULE_SHARED_MAGIC, any line, and the model's to_json
 * text. testveto shares the magic.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-module.h"

TEST_MODULE_DEFINE_TYPE (TestNoProbeFormat, test_no_probe_format, TEST, NO_PROBE_FORMAT, StrataFormat,
                         STRATA_TYPE_FORMAT)

static StrataModel *
test_no_probe_format_load_model (StrataFormat       *format,
                                 GFile              *file,
                                 StrataLoadOptions  *options,
                                 GCancellable       *cancellable,
                                 GError            **error)
{
  return test_module_load_shared (file, options, cancellable, error);
}

static void
test_no_probe_format_class_init (TestNoProbeFormatClass *klass)
{
  STRATA_FORMAT_CLASS (klass)->load_model = test_no_probe_format_load_model;
}

static const char * const testnoprobe_extensions[] = { "tnp", NULL };
static const StrataMagic testnoprobe_magic[] = {
  { 0, TEST_MODULE_SHARED_MAGIC, sizeof TEST_MODULE_SHARED_MAGIC - 1 },
};

static const StrataFormatDescriptor testnoprobe_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "testnoprobe",
  .description = "Test format without a probe",
  .extensions = testnoprobe_extensions,
  .magic = testnoprobe_magic,
  .n_magic = G_N_ELEMENTS (testnoprobe_magic),
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL,
  .register_type = test_no_probe_format_register,
};

STRATA_FORMAT_DEFINE_MODULE (testnoprobe_descriptor)
