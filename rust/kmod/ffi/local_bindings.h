/* SPDX-License-Identifier: GPL-2.0 */
/* Input of ofgroup's module-local bindgen run: see Kbuild. */
#include "shim.h"
