/* wrongtype.c: a module whose register_type gives a type that is not a
 * StrataFormat; it must be refused with an error, not instantiated.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "strata.h"
#include "strata-plugin.h"

#define WRONG_TYPE_THING (wrong_thing_get_type ())
G_DECLARE_FINAL_TYPE (WrongThing, wrong_thing, WRONG, THING, GObject)

struct _WrongThing
{
  GObject parent_instance;
};

G_DEFINE_DYNAMIC_TYPE (WrongThing, wrong_thing, G_TYPE_OBJECT)

static void
wrong_thing_class_init (WrongThingClass *klass)
{
}

static void
wrong_thing_class_finalize (WrongThingClass *klass)
{
}

static void
wrong_thing_init (WrongThing *self)
{
}

static GType
wrongtype_register_type (GTypeModule *module)
{
  wrong_thing_register_type (module);
  return WRONG_TYPE_THING;
}

static const char * const wrongtype_extensions[] = { "wrong", NULL };

static const StrataFormatDescriptor wrongtype_descriptor = {
  .abi_version = STRATA_FORMAT_ABI_VERSION,
  .name = "wrongtype",
  .description = "A module that registers something else",
  .extensions = wrongtype_extensions,
  .capabilities = STRATA_FORMAT_CAN_LOAD_MODEL,
  .register_type = wrongtype_register_type,
};

STRATA_FORMAT_DEFINE_MODULE (wrongtype_descriptor)
