/* inspector-i18n.h: gettext for Strata Inspector, in the library's domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "inspector-config.h"
#include <glib/gi18n.h>
