#ifndef FACEMOOD_CHDF5_SHIM_H
#define FACEMOOD_CHDF5_SHIM_H

#include <hdf5.h>

// HDF5's constants are macros over library globals that Swift cannot import.
static inline unsigned chdf5_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline hid_t chdf5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_native_int(void) { return H5T_NATIVE_INT; }
static inline hid_t chdf5_native_llong(void) { return H5T_NATIVE_LLONG; }
static inline hid_t chdf5_c_s1(void) { return H5T_C_S1; }
static inline hid_t chdf5_file_access(void) { return H5P_FILE_ACCESS; }
static inline size_t chdf5_variable(void) { return H5T_VARIABLE; }
static inline hid_t chdf5_default(void) { return H5P_DEFAULT; }
static inline hid_t chdf5_s_all(void) { return H5S_ALL; }
static inline unsigned chdf5_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline hid_t chdf5_link_create(void) { return H5P_LINK_CREATE; }

// The library prints its error stack to stderr by default; facemood reports its own errors instead, and
// puts back whatever the process had set when it is done (the setting is per thread in this build).
typedef struct { H5E_auto2_t function; void *data; } chdf5_error_printing;
static inline chdf5_error_printing chdf5_silence_errors(void) {
    chdf5_error_printing saved = { NULL, NULL };
    H5Eget_auto2(H5E_DEFAULT, &saved.function, &saved.data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return saved;
}
static inline void chdf5_restore_errors(chdf5_error_printing saved) { H5Eset_auto2(H5E_DEFAULT, saved.function, saved.data); }

#endif
