/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_arrival: conversion on arrival (docs/safe-viewing.md), when
 * cutout.conf says `safeview_on_arrival = yes`: a worker thread of the desk
 * (never of the intake, which holds no key) that, every few seconds,
 * converts the files of new (unread) submissions that have no safe copy,
 * through the desk's converter service, with the keys of an officer signed
 * in to the desk (intake role) who may read them: the desk holds no key of
 * its own. Each file is core/safeview's conversion, with its object.convert
 * entry in the same transaction, actor `system`, the detail naming whose
 * keys opened it. Bounded: at most ARRIVAL_PER_TICK files a tick; a file
 * refused once is not tried again while the desk runs (a ring of the last
 * ARRIVAL_TRIED_MAX).
 */
#ifndef CUTOUT_APP_DESK_ARRIVAL_H
#define CUTOUT_APP_DESK_ARRIVAL_H

#include "app/desk/desk_session.h"
#include "core/safeview/safeview.h"

#define ARRIVAL_PER_TICK 4
#define ARRIVAL_TRIED_MAX 1024

struct desk_arrival;

/* Starts the worker over sv and the sessions (both borrowed). */
__attribute__((warn_unused_result)) int desk_arrival_start(struct safeview *sv,
                                                           struct desk_sessions *sess,
                                                           unsigned period_seconds,
                                                           struct desk_arrival **out);
/* Stops it (after the file in flight) and frees it. */
void desk_arrival_stop(struct desk_arrival **a);

#endif
