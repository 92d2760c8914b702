/*
 * A stand-in bcryptprimitives.dll for Wine 8 (Debian 12), which lacks it, while every binary
 * built by Rust >= 1.78 for Windows imports ProcessPrng from it to seed its random numbers
 * (HashMap keys, tempfile names, age's keys): without it otp.exe exits at start.
 *
 * Test-only: scripts/wine-smoke builds it with MinGW and puts it beside otp.exe. It adds no
 * randomness of its own: ProcessPrng is answered by RtlGenRandom (advapi32's
 * SystemFunction036), the system generator that Wine implements. On real Windows the system's
 * own bcryptprimitives.dll is used and this file plays no part.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    /* RtlGenRandom takes a ULONG length: fill larger requests in pieces. */
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
