/* wrongtype.c: a module whose register_type gives a type that is not a
 * StrataFormat; it must be refused with an error, not instantiated.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-module.h"

TEST_MODULE_DEFINE_TYPE (WrongThing, wrong_thing, WRONG, THING, GObject, G_TYPE_OBJECT)

static void
wrong_thing_class_init (WrongThingClass *klass)
{
}

static const char * const wrongtype_extensions[] = { "wrong", NULL };

static const StrataFormatDescriptor wrongtype_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "wrongtype",
  .description = "A module that registers something else",
  .extensions = wrongtype_extensions,
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL,
  .register_type = wrong_thing_register,
};

STRATA_FORMAT_DEFINE_MODULE (wrongtype_descriptor)
