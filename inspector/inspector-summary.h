/* inspector-summary.h: a model's summary page
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <adwaita.h>
#include <strata/strata.h>

G_BEGIN_DECLS

GtkWidget *inspector_summary_new (StrataModel *model,
                                  const char  *format_name);

G_END_DECLS
