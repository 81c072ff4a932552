/* strata-weights-report.c: what loading weights matched, skipped and missed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "strata.h"

/**
 * StrataWeightsReport:
 *
 * What a weights load did, layer by layer: the layers whose weights were
 * set, the layers skipped (with the reason, for `skip_mismatch`), and the
 * layers of the model the file had nothing for.
 */
struct _StrataWeightsReport
{
  GObject    parent_instance;

  GPtrArray *matched;       /* NULL-terminated */
  GPtrArray *skipped;
  GPtrArray *skip_reasons;
  GPtrArray *missing;
};

G_DEFINE_FINAL_TYPE (StrataWeightsReport, strata_weights_report, G_TYPE_OBJECT)

enum {
  REPORT_PROP_0,
  REPORT_PROP_MATCHED,
  REPORT_PROP_SKIPPED,
  REPORT_PROP_SKIP_REASONS,
  REPORT_PROP_MISSING,
  REPORT_N_PROPS
};

static GParamSpec *report_properties[REPORT_N_PROPS];

/* An empty null-terminated GPtrArray may have no pdata at all. */
static const char * const *
as_strv (GPtrArray *array)
{
  static const char * const empty[] = { NULL };

  return array->pdata != NULL ? (const char * const *) array->pdata : empty;
}

static void
strata_weights_report_finalize (GObject *object)
{
  StrataWeightsReport *self = STRATA_WEIGHTS_REPORT (object);

  g_clear_pointer (&self->matched, g_ptr_array_unref);
  g_clear_pointer (&self->skipped, g_ptr_array_unref);
  g_clear_pointer (&self->skip_reasons, g_ptr_array_unref);
  g_clear_pointer (&self->missing, g_ptr_array_unref);

  G_OBJECT_CLASS (strata_weights_report_parent_class)->finalize (object);
}

static void
strata_weights_report_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  StrataWeightsReport *self = STRATA_WEIGHTS_REPORT (object);

  switch (prop_id)
    {
    case REPORT_PROP_MATCHED:
      g_value_set_boxed (value, as_strv (self->matched));
      break;
    case REPORT_PROP_SKIPPED:
      g_value_set_boxed (value, as_strv (self->skipped));
      break;
    case REPORT_PROP_SKIP_REASONS:
      g_value_set_boxed (value, as_strv (self->skip_reasons));
      break;
    case REPORT_PROP_MISSING:
      g_value_set_boxed (value, as_strv (self->missing));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_weights_report_class_init (StrataWeightsReportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = strata_weights_report_finalize;
  object_class->get_property = strata_weights_report_get_property;

  /**
   * StrataWeightsReport:matched:
   *
   * The layers whose weights were loaded.
   */
  report_properties[REPORT_PROP_MATCHED] =
    g_param_spec_boxed ("matched", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * StrataWeightsReport:skipped:
   *
   * The layers that were skipped.
   */
  report_properties[REPORT_PROP_SKIPPED] =
    g_param_spec_boxed ("skipped", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * StrataWeightsReport:skip-reasons:
   *
   * Why each layer of [property@Strata.WeightsReport:skipped] was skipped, in the
   * same order.
   */
  report_properties[REPORT_PROP_SKIP_REASONS] =
    g_param_spec_boxed ("skip-reasons", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * StrataWeightsReport:missing:
   *
   * The layers with weights that the file had nothing for.
   */
  report_properties[REPORT_PROP_MISSING] =
    g_param_spec_boxed ("missing", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, REPORT_N_PROPS, report_properties);
}

static void
strata_weights_report_init (StrataWeightsReport *self)
{
  self->matched = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->skipped = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->skip_reasons = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->missing = g_ptr_array_new_null_terminated (0, g_free, TRUE);
}

/**
 * strata_weights_report_new:
 *
 * Creates an empty report.
 *
 * Returns: (transfer full): a new report
 */
StrataWeightsReport *
strata_weights_report_new (void)
{
  return g_object_new (STRATA_TYPE_WEIGHTS_REPORT, NULL);
}

/**
 * strata_weights_report_add_matched:
 * @self: a report
 * @layer_name: the layer whose weights were loaded
 *
 * Records a loaded layer.
 */
void
strata_weights_report_add_matched (StrataWeightsReport *self,
                                   const char          *layer_name)
{
  g_return_if_fail (STRATA_IS_WEIGHTS_REPORT (self));
  g_return_if_fail (layer_name != NULL);

  g_ptr_array_add (self->matched, g_strdup (layer_name));
  g_object_notify_by_pspec (G_OBJECT (self), report_properties[REPORT_PROP_MATCHED]);
}

/**
 * strata_weights_report_add_skipped:
 * @self: a report
 * @layer_name: the layer that was skipped
 * @reason: why, translated (for example the shapes that differ)
 *
 * Records a skipped layer.
 */
void
strata_weights_report_add_skipped (StrataWeightsReport *self,
                                   const char          *layer_name,
                                   const char          *reason)
{
  g_return_if_fail (STRATA_IS_WEIGHTS_REPORT (self));
  g_return_if_fail (layer_name != NULL);
  g_return_if_fail (reason != NULL);

  g_ptr_array_add (self->skipped, g_strdup (layer_name));
  g_ptr_array_add (self->skip_reasons, g_strdup (reason));
  g_object_notify_by_pspec (G_OBJECT (self), report_properties[REPORT_PROP_SKIPPED]);
  g_object_notify_by_pspec (G_OBJECT (self), report_properties[REPORT_PROP_SKIP_REASONS]);
}

/**
 * strata_weights_report_add_missing:
 * @self: a report
 * @layer_name: a layer of the model the file had no weights for
 *
 * Records a missing layer.
 */
void
strata_weights_report_add_missing (StrataWeightsReport *self,
                                   const char          *layer_name)
{
  g_return_if_fail (STRATA_IS_WEIGHTS_REPORT (self));
  g_return_if_fail (layer_name != NULL);

  g_ptr_array_add (self->missing, g_strdup (layer_name));
  g_object_notify_by_pspec (G_OBJECT (self), report_properties[REPORT_PROP_MISSING]);
}

/**
 * strata_weights_report_get_matched:
 * @self: a report
 *
 * Gets the loaded layers.
 *
 * Returns: (transfer none) (array zero-terminated=1): the loaded layers
 */
const char * const *
strata_weights_report_get_matched (StrataWeightsReport *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHTS_REPORT (self), NULL);

  return as_strv (self->matched);
}

/**
 * strata_weights_report_get_skipped:
 * @self: a report
 *
 * Gets the skipped layers.
 *
 * Returns: (transfer none) (array zero-terminated=1): the skipped layers
 */
const char * const *
strata_weights_report_get_skipped (StrataWeightsReport *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHTS_REPORT (self), NULL);

  return as_strv (self->skipped);
}

/**
 * strata_weights_report_get_skip_reasons:
 * @self: a report
 *
 * Gets why each skipped layer was skipped, in the order of
 * [method@Strata.WeightsReport.get_skipped].
 *
 * Returns: (transfer none) (array zero-terminated=1): why each skipped
 *   layer was skipped, in the order of [method@Strata.WeightsReport.get_skipped]
 */
const char * const *
strata_weights_report_get_skip_reasons (StrataWeightsReport *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHTS_REPORT (self), NULL);

  return as_strv (self->skip_reasons);
}

/**
 * strata_weights_report_get_missing:
 * @self: a report
 *
 * Gets the layers the file had no weights for.
 *
 * Returns: (transfer none) (array zero-terminated=1): the layers the file
 *   had no weights for
 */
const char * const *
strata_weights_report_get_missing (StrataWeightsReport *self)
{
  g_return_val_if_fail (STRATA_IS_WEIGHTS_REPORT (self), NULL);

  return as_strv (self->missing);
}
