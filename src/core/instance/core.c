/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* core: version of the domain layer (a placeholder until the first core module lands). */
#include "core/instance/core.h"

#include "lib/banned.h"

const char *core_version(void)
{
	return "0.1.0";
}
