/* strata-format.h: the contract a format plugin implements
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__STRATA_H_INSIDE__) && !defined(STRATA_COMPILATION)
#error "Only <strata/strata.h> can be included directly."
#endif

#include <gio/gio.h>
#include "strata-enums.h"
#include "strata-types.h"
#include "strata-contents.h"
#include "strata-version.h"

G_BEGIN_DECLS

#define STRATA_TYPE_FORMAT (strata_format_get_type ())
STRATA_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (StrataFormat, strata_format, STRATA, FORMAT, GObject)

/**
 * StrataFormatClass:
 * @parent_class: the parent class
 * @probe: returns how sure the format is that @file is one of
 *   its files, from 0 (not at all) to 100 (certain). @head holds the first
 *   bytes of a regular file, or is %NULL for a directory (offered only to
 *   %STRATA_FORMAT_IS_DIRECTORY and %STRATA_FORMAT_FILE_OR_DIRECTORY
 *   formats). Sniffing asks the probe only when the descriptor's magic
 *   bytes (or, for a directory, marker files) match, when the file name
 *   has one of its extensions, or when the descriptor declares no magic
 *   bytes (marker files) at all; the score it returns is final, so 0
 *   rejects a file even when its magic bytes match. A format without a
 *   probe scores 50 when its magic bytes or marker files match.
 * @load_model: reads a model from @file
 * @save_model: writes @model to @file; the core makes the save atomic, so
 *   @file is a temporary that the format fills: an empty directory beside
 *   the target for %STRATA_FORMAT_IS_DIRECTORY formats, else an empty
 *   file, which has no name of its own where the system allows it (on
 *   Linux @file is then `/proc/self/fd/N`). Write into @file in place
 *   (open it, or [method@Gio.File.open_readwrite]); put intermediate data in
 *   [func@Strata.Format.open_scratch_file], not beside @file
 * @load_weights: reads weights from @file into @model
 * @save_weights: writes @model's weights to @file (a temporary path, as
 *   for @save_model)
 * @inspect: describes what @file holds without building a model (see
 *   [func@Strata.inspect_file]); optional. Since: 0.1
 *
 * The virtual functions of a format. Formats report progress and check
 * cancellation through the options they are given.
 */
struct _StrataFormatClass
{
  GObjectClass parent_class;

  int                  (*probe)        (StrataFormat      *self,
                                        GFile             *file,
                                        GBytes            *head);
  StrataModel         *(*load_model)   (StrataFormat      *self,
                                        GFile             *file,
                                        StrataLoadOptions *options,
                                        GCancellable      *cancellable,
                                        GError           **error);
  gboolean             (*save_model)   (StrataFormat      *self,
                                        StrataModel       *model,
                                        GFile             *file,
                                        StrataSaveOptions *options,
                                        GCancellable      *cancellable,
                                        GError           **error);
  StrataWeightsReport *(*load_weights) (StrataFormat      *self,
                                        StrataModel       *model,
                                        GFile             *file,
                                        StrataLoadOptions *options,
                                        GCancellable      *cancellable,
                                        GError           **error);
  gboolean             (*save_weights) (StrataFormat      *self,
                                        StrataModel       *model,
                                        GFile             *file,
                                        StrataSaveOptions *options,
                                        GCancellable      *cancellable,
                                        GError           **error);
  StrataContents      *(*inspect)      (StrataFormat      *self,
                                        GFile             *file,
                                        GCancellable      *cancellable,
                                        GError           **error);

  /*< private >*/
  gpointer padding[11];
};

STRATA_AVAILABLE_IN_ALL
StrataFormatInfo        *strata_format_get_info         (StrataFormat      *self);
STRATA_AVAILABLE_IN_ALL
const char              *strata_format_get_name         (StrataFormat      *self);
STRATA_AVAILABLE_IN_ALL
StrataFormatCapabilities strata_format_get_capabilities (StrataFormat      *self);
STRATA_AVAILABLE_IN_ALL
int                      strata_format_probe            (StrataFormat      *self,
                                                         GFile             *file,
                                                         GBytes            *head);
STRATA_AVAILABLE_IN_ALL
StrataModel             *strata_format_load_model       (StrataFormat      *self,
                                                         GFile             *file,
                                                         StrataLoadOptions *options,
                                                         GCancellable      *cancellable,
                                                         GError           **error);
STRATA_AVAILABLE_IN_ALL
gboolean                 strata_format_save_model       (StrataFormat      *self,
                                                         StrataModel       *model,
                                                         GFile             *file,
                                                         StrataSaveOptions *options,
                                                         GCancellable      *cancellable,
                                                         GError           **error);
STRATA_AVAILABLE_IN_ALL
StrataWeightsReport     *strata_format_load_weights     (StrataFormat      *self,
                                                         StrataModel       *model,
                                                         GFile             *file,
                                                         StrataLoadOptions *options,
                                                         GCancellable      *cancellable,
                                                         GError           **error);
STRATA_AVAILABLE_IN_ALL
gboolean                 strata_format_save_weights     (StrataFormat      *self,
                                                         StrataModel       *model,
                                                         GFile             *file,
                                                         StrataSaveOptions *options,
                                                         GCancellable      *cancellable,
                                                         GError           **error);

STRATA_AVAILABLE_IN_ALL
int                      strata_format_open_scratch_file (GFile           *file,
                                                          GError         **error);

STRATA_AVAILABLE_IN_ALL
StrataContents          *strata_format_inspect          (StrataFormat      *self,
                                                         GFile             *file,
                                                         GCancellable      *cancellable,
                                                         GError           **error);

G_END_DECLS
