/* testveto.c: a format module whose probe refuses most files its magic
 * matches, for the tests of sniffing (the probe has the final word).
 *
 * A file is TEST_MODULE_SHARED_MAGIC, a line, and the model's to_json
 * text; only files whose second line is "veto-mine" are its own (90).
 * testnoprobe shares the magic.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "test-module.h"

#define OWN_PREFIX TEST_MODULE_SHARED_MAGIC "veto-mine\n"

TEST_MODULE_DEFINE_TYPE (TestVetoFormat, test_veto_format, TEST, VETO_FORMAT, StrataFormat, STRATA_TYPE_FORMAT)

static int
test_veto_format_probe (StrataFormat *format,
                        GFile        *file,
                        GBytes       *head)
{
  gsize size;
  const char *data;

  if (head == NULL)
    return 0;
  data = g_bytes_get_data (head, &size);
  return size >= strlen (OWN_PREFIX) && memcmp (data, OWN_PREFIX, strlen (OWN_PREFIX)) == 0 ? 90 : 0;
}

static StrataModel *
test_veto_format_load_model (StrataFormat       *format,
                             GFile              *file,
                             StrataLoadOptions  *options,
                             GCancellable       *cancellable,
                             GError            **error)
{
  return test_module_load_shared (file, options, cancellable, error);
}

static void
test_veto_format_class_init (TestVetoFormatClass *klass)
{
  StrataFormatClass *format_class = STRATA_FORMAT_CLASS (klass);

  format_class->probe = test_veto_format_probe;
  format_class->load_model = test_veto_format_load_model;
}

static const char * const testveto_extensions[] = { "tvt", NULL };
static const StrataMagic testveto_magic[] = {
  { 0, TEST_MODULE_SHARED_MAGIC, sizeof TEST_MODULE_SHARED_MAGIC - 1 },
};

static const StrataFormatDescriptor testveto_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "testveto",
  .description = "Test format whose probe vetoes its magic",
  .extensions = testveto_extensions,
  .magic = testveto_magic,
  .n_magic = G_N_ELEMENTS (testveto_magic),
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL,
  .register_type = test_veto_format_register,
};

STRATA_FORMAT_DEFINE_MODULE (testveto_descriptor)
