/* h5-config-build.c: the model config built on a second thread
 *
 * libhdf5 is serial, and reading the weight groups of a large file takes
 * about as long as building the model from its JSON config: the two
 * overlap. The builder touches only the config text, which the caller
 * keeps alive until h5_config_build_finish().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-plugin.h"

struct _H5ConfigBuild {
  GThread        *thread;   /* NULL: built in h5_config_build_finish() */
  const char     *json;
  StrataRegistry *registry; /* nullable */
  StrataLoadFlags flags;
  StrataModel    *model;
  GError         *error;
};

static gpointer
build (gpointer data)
{
  H5ConfigBuild *b = data;

  b->model = strata_model_from_json (b->json, -1, b->registry, b->flags, &b->error);
  return NULL;
}

H5ConfigBuild *
h5_config_build_start (const char *json, StrataRegistry *registry, StrataLoadFlags flags)
{
  H5ConfigBuild *b = g_new0 (H5ConfigBuild, 1);

  b->json = json;
  b->registry = registry != NULL ? g_object_ref (registry) : NULL;
  b->flags = flags;
  /* Without a thread (resource limits), the build runs at finish time. */
  b->thread = g_thread_try_new ("strata-h5-config", build, b, NULL);
  return b;
}

StrataModel *
h5_config_build_finish (H5ConfigBuild *b, GError **error)
{
  StrataModel *model;

  if (b->thread != NULL)
    g_thread_join (b->thread);
  else
    build (b);
  model = b->model;
  if (model == NULL)
    g_propagate_error (error, b->error);
  g_clear_object (&b->registry);
  g_free (b);
  return model;
}
