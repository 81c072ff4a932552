/* misnamed.c: the file says "misnamed", the descriptor says "json-config";
 * it must not take over the real json-config.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "strata.h"
#include "strata-plugin.h"

static GType
misnamed_register_type (GTypeModule *module)
{
  g_error ("register_type of a misnamed module must not be called");
  return G_TYPE_INVALID;
}

static const char * const misnamed_extensions[] = { "json", NULL };

static const StrataFormatDescriptor misnamed_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "json-config",
  .description = "A module whose descriptor does not match its file name",
  .extensions = misnamed_extensions,
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL,
  .register_type = misnamed_register_type,
};

STRATA_FORMAT_DEFINE_MODULE (misnamed_descriptor)
