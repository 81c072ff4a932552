/* badabi.c: a format module built for another ABI version; it must be
 * listed with its error and never used.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "strata.h"
#include "strata-plugin.h"

static GType
badabi_register_type (GTypeModule *module)
{
  g_error ("register_type of a module with the wrong ABI must not be called");
  return G_TYPE_INVALID;
}

static const char * const badabi_extensions[] = { "badabi", NULL };

static const StrataFormatDescriptor badabi_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION + 98,
  .name = "badabi",
  .description = "A module built for a future ABI",
  .extensions = badabi_extensions,
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL | STRATA_FORMAT_CAN_SAVE_MODEL,
  .register_type = badabi_register_type,
};

STRATA_FORMAT_DEFINE_MODULE (badabi_descriptor)
