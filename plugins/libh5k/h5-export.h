/* h5-export.h: what libstrata-h5k exports to the format modules
 *
 * The library is private to Strata's modules and is built with hidden
 * symbols; H5K_EXPORT marks the functions the h5 and keras-v3 modules (and
 * the tests) call. It is no API: nothing outside Strata may link it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define H5K_EXPORT __attribute__ ((visibility ("default")))
