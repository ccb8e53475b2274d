/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ledger_internal: what the files of core/ledger share (nothing outside the
 * folder includes it).
 */
#ifndef CUTOUT_CORE_LEDGER_INTERNAL_H
#define CUTOUT_CORE_LEDGER_INTERNAL_H

#include "core/ledger/ledger.h"
#include "core/store/store_ledger.h"

/* A store result as the ledger's (STORE_CORRUPT: LEDGER_TAMPERED). */
enum ledger_result ledger_from_store(enum store_result r);

#endif
