/* h5-types.c: HDF5 datatypes <-> StrataDType
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "h5-types.h"
#include "h5-common.h"

#include "strata-i18n-private.h"

StrataDType
h5k_dtype_from_h5 (hid_t ftype, const char *where, GError **error)
{
  H5T_class_t cls = H5Tget_class (ftype);
  size_t size = H5Tget_size (ftype);

  switch (cls)
    {
    case H5T_FLOAT:
      if (size == 2)
        return STRATA_DTYPE_FLOAT16;
      if (size == 4)
        return STRATA_DTYPE_FLOAT32;
      if (size == 8)
        return STRATA_DTYPE_FLOAT64;
      break;
    case H5T_INTEGER:
      {
        gboolean is_signed = H5Tget_sign (ftype) == H5T_SGN_2;
        switch (size)
          {
          case 1: return is_signed ? STRATA_DTYPE_INT8 : STRATA_DTYPE_UINT8;
          case 2: return is_signed ? STRATA_DTYPE_INT16 : STRATA_DTYPE_UINT16;
          case 4: return is_signed ? STRATA_DTYPE_INT32 : STRATA_DTYPE_UINT32;
          case 8: return is_signed ? STRATA_DTYPE_INT64 : STRATA_DTYPE_UINT64;
          default: break;
          }
      }
      break;
    case H5T_ENUM:
      /* h5py stores numpy bool as an int8 enum {FALSE = 0, TRUE = 1}. */
      if (size == 1)
        return STRATA_DTYPE_BOOL;
      break;
    case H5T_OPAQUE:
      /* ml_dtypes.bfloat16 becomes an untagged 2-byte opaque type. */
      if (size == 2)
        return STRATA_DTYPE_BFLOAT16;
      break;
    default:
      break;
    }

  g_set_error (error, STRATA_FORMAT_ERROR, STRATA_FORMAT_ERROR_UNSUPPORTED,
               /* Translators: an HDF5 dataset path, an HDF5 type class number, then a size in bytes */
               _("The weight dataset “%s” has an HDF5 type Strata cannot use as a weight "
                 "(class %d, %zu bytes)"), where, (int) cls, size);
  return STRATA_DTYPE_INVALID;
}

static hid_t
float16_type_new (void)
{
  /* As h5py builds it: IEEE half precision, little-endian. */
  hid_t type = H5Tcopy (H5T_IEEE_F32LE);

  H5Tset_fields (type, 15, 10, 5, 0, 10);
  H5Tset_size (type, 2);
  H5Tset_ebias (type, 15);
  return type;
}

hid_t
h5k_mem_type_new (StrataDType dtype, hid_t ftype)
{
  switch (dtype)
    {
    case STRATA_DTYPE_FLOAT16: return float16_type_new ();
    case STRATA_DTYPE_FLOAT32: return H5Tcopy (H5T_IEEE_F32LE);
    case STRATA_DTYPE_FLOAT64: return H5Tcopy (H5T_IEEE_F64LE);
    case STRATA_DTYPE_INT8: return H5Tcopy (H5T_STD_I8LE);
    case STRATA_DTYPE_INT16: return H5Tcopy (H5T_STD_I16LE);
    case STRATA_DTYPE_INT32: return H5Tcopy (H5T_STD_I32LE);
    case STRATA_DTYPE_INT64: return H5Tcopy (H5T_STD_I64LE);
    case STRATA_DTYPE_UINT8: return H5Tcopy (H5T_STD_U8LE);
    case STRATA_DTYPE_UINT16: return H5Tcopy (H5T_STD_U16LE);
    case STRATA_DTYPE_UINT32: return H5Tcopy (H5T_STD_U32LE);
    case STRATA_DTYPE_UINT64: return H5Tcopy (H5T_STD_U64LE);
    case STRATA_DTYPE_BOOL:
    case STRATA_DTYPE_BFLOAT16:
      /* Enum and opaque data are read as stored (one byte / two raw bytes). */
      return H5Tcopy (ftype);
    case STRATA_DTYPE_INVALID:
    default:
      return H5I_INVALID_HID;
    }
}

gboolean
h5k_type_is_stored_as (hid_t ftype, StrataDType dtype)
{
  hid_t predefined;
  H5K_AUTO_ID hid_t mtype = H5I_INVALID_HID;

  /* The common types compare against libhdf5's predefined ones, which
   * costs no type creation. */
  switch (dtype)
    {
    case STRATA_DTYPE_FLOAT32: predefined = H5T_IEEE_F32LE; break;
    case STRATA_DTYPE_FLOAT64: predefined = H5T_IEEE_F64LE; break;
    case STRATA_DTYPE_INT32: predefined = H5T_STD_I32LE; break;
    case STRATA_DTYPE_INT64: predefined = H5T_STD_I64LE; break;
    default:
      mtype = h5k_mem_type_new (dtype, ftype);
      predefined = mtype;
      break;
    }
  return predefined >= 0 && H5Tequal (ftype, predefined) > 0;
}

hid_t
h5k_file_type_new (StrataDType dtype)
{
  hid_t type;
  signed char value;

  switch (dtype)
    {
    case STRATA_DTYPE_BOOL:
      type = H5Tenum_create (H5T_STD_I8LE);
      value = 0;
      H5Tenum_insert (type, "FALSE", &value);
      value = 1;
      H5Tenum_insert (type, "TRUE", &value);
      return type;
    case STRATA_DTYPE_BFLOAT16:
      return H5Tcreate (H5T_OPAQUE, 2);
    default:
      return h5k_mem_type_new (dtype, H5I_INVALID_HID);
    }
}
