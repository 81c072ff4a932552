/* mismatch.c: a module whose metadata file (written by hand) declares
 * other extensions than its descriptor; loading it must fail before its
 * types are registered.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "strata.h"
#include "strata-plugin.h"

static GType
mismatch_register_type (GTypeModule *module)
{
  g_error ("register_type of a module that does not match its metadata file must not be called");
  return G_TYPE_INVALID;
}

static const char * const mismatch_extensions[] = { "mm", NULL };

static const StrataFormatDescriptor mismatch_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "mismatch",
  .description = "A module whose metadata file does not match it",
  .extensions = mismatch_extensions,
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL,
  .register_type = mismatch_register_type,
};

STRATA_FORMAT_DEFINE_MODULE (mismatch_descriptor)
