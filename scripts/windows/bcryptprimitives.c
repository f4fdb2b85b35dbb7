/* Test-only stand-in for Windows' bcryptprimitives.dll, which Wine 8.0 lacks and Rust's
 * std imports (ProcessPrng, for HashMap seeds and getrandom). It exports that one function
 * over advapi32's RtlGenRandom (SystemFunction036), which Wine has. Windows ships the real
 * DLL; this file never goes into a release. Built by scripts/test-windows with mingw. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
