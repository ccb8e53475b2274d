/* SPDX-License-Identifier: AGPL-3.0-or-later */
#ifndef CUTOUT_CORE_CORE_H
#define CUTOUT_CORE_CORE_H

const char *core_version(void);

#endif
