/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * banned.h: functions that are too easy to misuse become compile errors.
 *
 * Include this LAST in every .c file, after all system headers (as git does),
 * so that the system's own declarations are not rewritten. A use of a banned
 * function then fails with "sorry_<name>_is_a_banned_function" undeclared.
 * Use snprintf (and check its result), memcpy with explicit lengths, strtol /
 * strtoull with full error checking, or the buf_* helpers instead.
 */
#ifndef CUTOUT_LIB_BANNED_H
#define CUTOUT_LIB_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef strtok_r
#define strtok_r(x, y, z) BANNED(strtok_r)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef atoll
#define atoll(x) BANNED(atoll)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef ctime
#define ctime(t) BANNED(ctime)
#undef asctime
#define asctime(t) BANNED(asctime)

#endif
