//! What an ESP8266 prints when it boots, crashes or restarts, for the Arduino core.
//!
//! Sources (names, numbers and printed text are transcribed, the readings are ours):
//! - esp8266/Arduino (release 3.1.2, tag commit 210897e; master f946290, 2026-03-23):
//!   `doc/exception_causes.rst` (EXCCAUSE table), `doc/boards.rst` ("Boot Messages and
//!   Modes": rst cause 0-4, boot mode bits), `doc/faq/a01-upload-failed.rst` and
//!   `doc/faq/a02-my-esp-crashes.rst` with its screenshots (ROM banner, `wdt reset`,
//!   `Soft WDT reset`), `tools/sdk/include/user_interface.h` (`enum rst_reason`),
//!   `cores/esp8266/Esp.cpp` (`getResetReason`, `getResetInfo`),
//!   `cores/esp8266/core_esp8266_postmortem.cpp` (crash report formats), `cores/esp8266/
//!   heap.cpp` and `abi.cpp` (OOM reports), `bootloaders/eboot/eboot.c` (`v%08x`, `~ld`,
//!   `@cp:`), `tools/decoder.py` (which lines the stock decoder skips), and the NONOS SDK
//!   `tools/sdk/lib/NONOSDK22x_190703/libmain.a` strings (`Fatal exception %d`,
//!   `(LoadProhibitedCause):`, `epc1=0x%08x, epc2=...`).
//! - ROM reset cause names 5 and 6, and the names of 0-4: espressif/ESP8266_RTOS_SDK
//!   `components/esp8266/include/esp8266/rtc_register.h` (`RESET_REASON`, commit 048c585).
//!
//! Version notes: `Stack overflow detected`, `Stack smashing detected at 0x%08x`, the
//! `DECODE IT` line and ` - deliberate infinite loop detected` are on master, after 3.1.2;
//! 3.1.2 prints `Stack smashing detected.` followed by `Exception (5):`.
//! `ESP.getResetReason()` said "Power on" (lower-case o) before core 2.7.0.

use super::{Entry, e};

const XTENSA: &str = "ESP8266 (Xtensa LX106): Arduino core crash report and NONOS SDK";
const XTENSA_NONE: &str = "ESP8266 (Xtensa LX106): no such unit on this chip";
const ROM: &str = "ESP8266 (ROM)";
const CORE: &str = "ESP8266 Arduino core";
const CORE_MASTER: &str = "ESP8266 Arduino core, after 3.1.2 (master)";
const SDK: &str =
    "ESP8266 NONOS SDK (Arduino with Serial.setDebugOutput(true), AT and NodeMCU firmware)";
const EBOOT: &str = "ESP8266 Arduino core bootloader (eboot)";

const DECODE_FIX: &str = "give thingflash the sketch's .elf (the Arduino IDE leaves it in the sketch's build folder after Sketch > Export Compiled Binary) and the stack's code addresses are named with function and line; or paste everything between the two CUT HERE lines into the ESP exception decoder with that .elf";
const NULL_FIX: &str = "decode the stack to find the line; check pointers before use (a failed malloc/new, a SPIFFS/LittleFS open() that returned nothing, an object never created)";
const CORRUPT_FIX: &str = "this cause does not happen on a healthy ESP8266: decode the stack and look for memory corruption (arrays written past their end, freed pointers)";
const WDT_FIX: &str = "do not block: add yield() or delay(0) inside long loops, never wait in callbacks or interrupts, keep TLS work out of interrupt context";

/// Xtensa exception causes, 0 to 39, as `doc/exception_causes.rst` names them. The core
/// prints `Exception (N):`, the SDK `Fatal exception N(NameCause):`, `getResetInfo()`
/// `Fatal exception:N flag:...`. 40..63 are reserved (not listed).
pub const EXCEPTION_CAUSES: &[(u8, Entry)] = &[
    (
        0,
        e(
            "IllegalInstructionCause",
            XTENSA,
            "the CPU ran into bytes that are not code: a bad or half-written flash, the wrong Flash Mode or Size setting, a call through a corrupted function pointer, or a smashed stack (a ROM division by zero is shown as 6)",
            "decode the stack; erase the flash and upload again with the board's Flash Mode (DOUT for ESP-01S/ESP8285) and Flash Size; look for arrays written past their end",
        ),
    ),
    (
        1,
        e(
            "SyscallCause",
            XTENSA,
            "a SYSCALL instruction ran: a debugger break (GDBStub) with no debugger attached",
            "remove GDBStub from the sketch, or attach gdb",
        ),
    ),
    (
        2,
        e(
            "InstructionFetchErrorCause",
            XTENSA,
            "fetching an instruction failed: a jump to an address with no code, or flash code run while the flash cache was off (an interrupt handler without IRAM_ATTR)",
            "mark interrupt handlers and what they call IRAM_ATTR; check function pointers and callbacks",
        ),
    ),
    (
        3,
        e(
            "LoadStoreErrorCause",
            XTENSA,
            "a byte or 16-bit access to memory that only allows 32-bit access: usually a PROGMEM/flash string or table read byte by byte, or IRAM heap",
            "read flash data with pgm_read_byte(), memcpy_P(), strcpy_P() or the F()/PSTR() helpers; never index a PROGMEM array directly",
        ),
    ),
    (
        4,
        e(
            "Level1InterruptCause",
            XTENSA,
            "a level-1 interrupt; in a crash report it comes with Soft WDT reset: the sketch kept the CPU busy for about 3 seconds",
            WDT_FIX,
        ),
    ),
    (
        5,
        e(
            "AllocaCause",
            XTENSA,
            "a register-window fault (MOVSP); core 3.1.2 also uses 5 for a stack smashing report: the stack is corrupt or too small",
            "move big local arrays and buffers to static or heap memory; look for arrays written past their end",
        ),
    ),
    (
        6,
        e(
            "IntegerDivideByZeroCause",
            XTENSA,
            "an integer division by zero (the core also reports the ROM division routine's fault as 6)",
            "check divisors before dividing (e.g. a count or an elapsed time that can be 0)",
        ),
    ),
    (
        7,
        e(
            "Reserved for Tensilica",
            XTENSA_NONE,
            "not a real cause: the crash record is damaged",
            CORRUPT_FIX,
        ),
    ),
    (
        8,
        e(
            "PrivilegedCause",
            XTENSA,
            "a privileged instruction ran in user mode: execution went into data or corrupted code",
            CORRUPT_FIX,
        ),
    ),
    (
        9,
        e(
            "LoadStoreAlignmentCause",
            XTENSA,
            "a 16- or 32-bit read or write at an address that is not a multiple of its size: typically a byte buffer cast to a uint32_t* or a struct pointer",
            "copy the bytes into a properly typed variable with memcpy() instead of casting the pointer",
        ),
    ),
    (
        10,
        e(
            "Reserved for Tensilica",
            XTENSA_NONE,
            "not a real cause: the crash record is damaged",
            CORRUPT_FIX,
        ),
    ),
    (
        11,
        e(
            "Reserved for Tensilica",
            XTENSA_NONE,
            "not a real cause: the crash record is damaged",
            CORRUPT_FIX,
        ),
    ),
    (
        12,
        e(
            // exception_causes.rst spells it "InstrPIFDateErrorCause"; the SDK and the
            // Xtensa ISA say "Data".
            "InstrPIFDataErrorCause",
            XTENSA,
            "a bus data error while fetching an instruction: flash read trouble or a wild jump",
            "check the power supply and the Flash Mode setting; decode the stack",
        ),
    ),
    (
        13,
        e(
            "LoadStorePIFDataErrorCause",
            XTENSA,
            "a bus data error on a read or write: a pointer into peripheral or unmapped space",
            NULL_FIX,
        ),
    ),
    (
        14,
        e(
            "InstrPIFAddrErrorCause",
            XTENSA,
            "a bus address error while fetching an instruction: a jump to an invalid address",
            "check function pointers and callbacks; decode the stack",
        ),
    ),
    (
        15,
        e(
            "LoadStorePIFAddrErrorCause",
            XTENSA,
            "a bus address error on a read or write: a wild pointer",
            NULL_FIX,
        ),
    ),
    (
        16,
        e(
            "InstTLBMissCause",
            XTENSA_NONE,
            "an MMU fault; the ESP8266 has no MMU, so the crash record is damaged or execution went wild",
            CORRUPT_FIX,
        ),
    ),
    (
        17,
        e(
            "InstTLBMultiHitCause",
            XTENSA_NONE,
            "an MMU fault; the ESP8266 has no MMU, so the crash record is damaged or execution went wild",
            CORRUPT_FIX,
        ),
    ),
    (
        18,
        e(
            "InstFetchPrivilegeCause",
            XTENSA_NONE,
            "an MMU privilege fault; the ESP8266 has no MMU, so the crash record is damaged or execution went wild",
            CORRUPT_FIX,
        ),
    ),
    (
        19,
        e(
            "Reserved for Tensilica",
            XTENSA_NONE,
            "not a real cause: the crash record is damaged",
            CORRUPT_FIX,
        ),
    ),
    (
        20,
        e(
            "InstFetchProhibitedCause",
            XTENSA,
            "the CPU jumped to an address where code cannot run: a call through a null or garbage function pointer (epc1 and excvaddr near 0) or a return through a smashed stack",
            "check that callbacks and function pointers are set before they are called; decode the stack",
        ),
    ),
    (
        21,
        e(
            "Reserved for Tensilica",
            XTENSA_NONE,
            "not a real cause: the crash record is damaged",
            CORRUPT_FIX,
        ),
    ),
    (
        22,
        e(
            "Reserved for Tensilica",
            XTENSA_NONE,
            "not a real cause: the crash record is damaged",
            CORRUPT_FIX,
        ),
    ),
    (
        23,
        e(
            "Reserved for Tensilica",
            XTENSA_NONE,
            "not a real cause: the crash record is damaged",
            CORRUPT_FIX,
        ),
    ),
    (
        24,
        e(
            "LoadStoreTLBMissCause",
            XTENSA_NONE,
            "an MMU fault; the ESP8266 has no MMU, so the crash record is damaged or execution went wild",
            CORRUPT_FIX,
        ),
    ),
    (
        25,
        e(
            "LoadStoreTLBMultiHitCause",
            XTENSA_NONE,
            "an MMU fault; the ESP8266 has no MMU, so the crash record is damaged or execution went wild",
            CORRUPT_FIX,
        ),
    ),
    (
        26,
        e(
            "LoadStorePrivilegeCause",
            XTENSA_NONE,
            "an MMU privilege fault; the ESP8266 has no MMU, so the crash record is damaged or execution went wild",
            CORRUPT_FIX,
        ),
    ),
    (
        27,
        e(
            "Reserved for Tensilica",
            XTENSA_NONE,
            "not a real cause: the crash record is damaged",
            CORRUPT_FIX,
        ),
    ),
    (
        28,
        e(
            "LoadProhibitedCause",
            XTENSA,
            "a read from an address with no memory behind it: with excvaddr near 0x00000000 a null pointer (an object, buffer or file that was never created); other addresses a freed or wild pointer",
            NULL_FIX,
        ),
    ),
    (
        29,
        e(
            "StoreProhibitedCause",
            XTENSA,
            "a write to an address with no memory behind it: with excvaddr near 0x00000000 a null pointer; other addresses a freed or wild pointer or a buffer overrun",
            NULL_FIX,
        ),
    ),
    (
        30,
        e(
            "Reserved for Tensilica",
            XTENSA_NONE,
            "not a real cause: the crash record is damaged",
            CORRUPT_FIX,
        ),
    ),
    (
        31,
        e(
            "Reserved for Tensilica",
            XTENSA_NONE,
            "not a real cause: the crash record is damaged",
            CORRUPT_FIX,
        ),
    ),
    (
        32,
        e(
            "Coprocessor0Disabled",
            XTENSA_NONE,
            "a coprocessor instruction; the ESP8266 has no coprocessors, so execution went into data",
            CORRUPT_FIX,
        ),
    ),
    (
        33,
        e(
            "Coprocessor1Disabled",
            XTENSA_NONE,
            "a coprocessor instruction; the ESP8266 has no coprocessors, so execution went into data",
            CORRUPT_FIX,
        ),
    ),
    (
        34,
        e(
            "Coprocessor2Disabled",
            XTENSA_NONE,
            "a coprocessor instruction; the ESP8266 has no coprocessors, so execution went into data",
            CORRUPT_FIX,
        ),
    ),
    (
        35,
        e(
            "Coprocessor3Disabled",
            XTENSA_NONE,
            "a coprocessor instruction; the ESP8266 has no coprocessors, so execution went into data",
            CORRUPT_FIX,
        ),
    ),
    (
        36,
        e(
            "Coprocessor4Disabled",
            XTENSA_NONE,
            "a coprocessor instruction; the ESP8266 has no coprocessors, so execution went into data",
            CORRUPT_FIX,
        ),
    ),
    (
        37,
        e(
            "Coprocessor5Disabled",
            XTENSA_NONE,
            "a coprocessor instruction; the ESP8266 has no coprocessors, so execution went into data",
            CORRUPT_FIX,
        ),
    ),
    (
        38,
        e(
            "Coprocessor6Disabled",
            XTENSA_NONE,
            "a coprocessor instruction; the ESP8266 has no coprocessors, so execution went into data",
            CORRUPT_FIX,
        ),
    ),
    (
        39,
        e(
            "Coprocessor7Disabled",
            XTENSA_NONE,
            "a coprocessor instruction; the ESP8266 has no coprocessors, so execution went into data",
            CORRUPT_FIX,
        ),
    ),
];

/// `rst cause:N` in the ROM banner (`ets Jan  8 2013,rst cause:2, boot mode:(3,6)`, printed
/// at 74880 baud). The ROM only knows hardware causes: after an exception, a software
/// watchdog or `ESP.restart()` it still says 2 (or keeps the previous cause), so read the
/// lines above the banner and `ESP.getResetReason()`.
pub const ROM_RST_CAUSES: &[(u8, Entry)] = &[
    (
        0,
        e(
            "NO_MEAN",
            ROM,
            "the ROM could not tell why the chip started",
            "read the lines above the banner",
        ),
    ),
    (
        1,
        e(
            "POWERON_RESET",
            ROM,
            "power-on: the board was powered or the USB cable replugged",
            "nothing to do; if it repeats on its own, the supply drops (use a better USB cable or port, or a capacitor on 3.3 V)",
        ),
    ),
    (
        2,
        e(
            "EXT_RESET",
            ROM,
            "a reset through the RST pin (reset button, the flasher's DTR/RTS, GPIO16 waking from deep sleep), and also what the ROM shows after a crash or ESP.restart()",
            "if a crash report (Exception, Soft WDT reset, Panic) is just above, read that; otherwise nothing to do",
        ),
    ),
    (
        3,
        e(
            "SW_RESET",
            ROM,
            "a software reset of the chip",
            "read the lines above the banner",
        ),
    ),
    (
        4,
        e(
            "OWDT_RESET",
            ROM,
            "the hardware watchdog reset the chip (the banner is followed by \"wdt reset\"): the sketch blocked so long that even the software watchdog could not report it, so there is no stack dump",
            "find the last line the sketch printed before it; look for loops without yield(), long work with interrupts off, or an interrupt handler that never returns",
        ),
    ),
    (
        5,
        e(
            "DEEPSLEEP_RESET",
            ROM,
            "the chip woke from deep sleep by its timer",
            "nothing to do; if the boot then stops (ets_main.c), wire GPIO16 to RST and check the flash wakes up in time",
        ),
    ),
    (
        6,
        e(
            "SDIO_RESET",
            ROM,
            "a reset by the SDIO (SLC) interface, which Arduino boards do not use",
            "check that GPIO15 is pulled low at boot (boot mode first number below 4)",
        ),
    ),
];

/// `REASON_*` from `user_interface.h` (`ESP.getResetInfoPtr()->reason`) with the exact text
/// `ESP.getResetReason()` returns for it (core 2.7.0 and later).
pub const RESET_REASONS: &[(u8, &str, Entry)] = &[
    (
        0,
        "Power On",
        e(
            "REASON_DEFAULT_RST",
            CORE,
            "normal start after power-on (also after a reset the SDK did not record)",
            "nothing to do",
        ),
    ),
    (
        1,
        "Hardware Watchdog",
        e(
            "REASON_WDT_RST",
            CORE,
            "the hardware watchdog reset the chip: the sketch blocked with no chance for the software watchdog",
            WDT_FIX,
        ),
    ),
    (
        2,
        "Exception",
        e(
            "REASON_EXCEPTION_RST",
            CORE,
            "the sketch crashed with a CPU exception; ESP.getResetInfo() gives the cause number and addresses",
            "look the Exception number up and decode the stack dump printed before the restart",
        ),
    ),
    (
        3,
        "Software Watchdog",
        e(
            "REASON_SOFT_WDT_RST",
            CORE,
            "the software watchdog fired: loop() or a callback ran for about 3 seconds without yielding",
            WDT_FIX,
        ),
    ),
    (
        4,
        "Software/System restart",
        e(
            "REASON_SOFT_RESTART",
            CORE,
            "the firmware restarted itself: ESP.restart(), an OTA update, or a panic/abort/out-of-memory report",
            "if a User exception / Panic / Abort report came before, read it; otherwise find the ESP.restart() call",
        ),
    ),
    (
        5,
        "Deep-Sleep Wake",
        e(
            "REASON_DEEP_SLEEP_AWAKE",
            CORE,
            "the chip woke from ESP.deepSleep()",
            "nothing to do",
        ),
    ),
    (
        6,
        "External System",
        e(
            "REASON_EXT_SYS_RST",
            CORE,
            "an external reset: the RST pin, the reset button or the flasher",
            "nothing to do",
        ),
    ),
];

/// First number of `boot mode:(a,b)`: `(GPIO15 << 2) | (GPIO0 << 1) | GPIO2`, sampled at
/// reset (`doc/boards.rst`). The second number is not documented.
pub const BOOT_MODES: &[(u8, Entry)] = &[
    (
        0,
        e(
            "not valid (GPIO15 low, GPIO0 low, GPIO2 low)",
            ROM,
            "GPIO2 was low at reset: no valid boot mode",
            "make sure nothing pulls GPIO2 low at power-up (an LED or sensor on GPIO2, a missing pull-up)",
        ),
    ),
    (
        1,
        e(
            "UART download (GPIO15 low, GPIO0 low, GPIO2 high)",
            ROM,
            "the chip waits for a flasher: GPIO0 was held low at reset (FLASH/BOOT button, or the USB adapter's DTR/RTS), so the sketch does not run",
            "to run the sketch, release GPIO0 (or the FLASH button) and press RST; to upload, this is the right mode",
        ),
    ),
    (
        2,
        e(
            "not valid (GPIO15 low, GPIO0 high, GPIO2 low)",
            ROM,
            "GPIO2 was low at reset: no valid boot mode",
            "make sure nothing pulls GPIO2 low at power-up",
        ),
    ),
    (
        3,
        e(
            "flash boot (GPIO15 low, GPIO0 high, GPIO2 high)",
            ROM,
            "normal start: the chip runs the sketch from flash",
            "nothing to do",
        ),
    ),
    (
        4,
        e(
            "SDIO (GPIO15 high, GPIO0 low, GPIO2 low)",
            ROM,
            "GPIO15 was high at reset, so the chip tried SDIO boot and will not run the sketch",
            "pull GPIO15 low at boot (10 kOhm to GND); do not use it for anything that is high at power-up",
        ),
    ),
    (
        5,
        e(
            "SDIO (GPIO15 high, GPIO0 low, GPIO2 high)",
            ROM,
            "GPIO15 was high at reset, so the chip tried SDIO boot and will not run the sketch",
            "pull GPIO15 low at boot (10 kOhm to GND)",
        ),
    ),
    (
        6,
        e(
            "SDIO (GPIO15 high, GPIO0 high, GPIO2 low)",
            ROM,
            "GPIO15 was high at reset, so the chip tried SDIO boot and will not run the sketch",
            "pull GPIO15 low at boot (10 kOhm to GND)",
        ),
    ),
    (
        7,
        e(
            "SDIO (GPIO15 high, GPIO0 high, GPIO2 high)",
            ROM,
            "GPIO15 was high at reset, so the chip tried SDIO boot and will not run the sketch",
            "pull GPIO15 low at boot (10 kOhm to GND)",
        ),
    ),
];

/// Literal text the ROM, eboot, the SDK and the core print around a boot or a crash,
/// from the sources' format strings. Each key is a substring of the line (case matters);
/// when one key contains another, the longer comes first, so take the first match.
pub const CRASH_LINES: &[(&str, Entry)] = &[
    (
        "CUT HERE FOR EXCEPTION DECODER",
        e(
            "esp8266-cut-here",
            CORE,
            "start or end of a crash report (15 dashes, CUT HERE FOR EXCEPTION DECODER, 15 dashes)",
            DECODE_FIX,
        ),
    ),
    (
        "To make this dump useful, DECODE IT",
        e(
            "esp8266-decode-it",
            CORE_MASTER,
            "the core asks for the crash report to be decoded",
            DECODE_FIX,
        ),
    ),
    (
        "User exception (panic/abort/assert)",
        e(
            "esp8266-user-exception",
            CORE,
            "the firmware stopped itself: panic(), abort(), a failed assert or an unhandled C++ exception (the line after CUT HERE says which)",
            "read the Panic / Abort / Unhandled line below it and decode the stack",
        ),
    ),
    (
        ": Assertion '",
        e(
            "esp8266-assert",
            CORE,
            "an assert() in the sketch or a library failed: the condition in quotes was false at that file and line",
            "open the named file at that line and see why the condition was false",
        ),
    ),
    (
        "Panic ",
        e(
            "esp8266-panic",
            CORE,
            "the core or a library called panic() at the file and line shown; `__yield` means yield() or delay() was called where it is not allowed (an interrupt, a Ticker or WiFi event callback)",
            "for __yield: move delay()/yield() and network calls out of callbacks into loop(); otherwise open the named file at that line",
        ),
    ),
    (
        "Abort called",
        e(
            "esp8266-abort",
            CORE,
            "abort() was called: often out of memory (the BearSSL stack or a buffer could not be allocated) or a library's fatal check",
            "check free heap (ESP.getFreeHeap()) before the failing call; decode the stack",
        ),
    ),
    (
        "Unhandled C++ exception: OOM",
        e(
            "esp8266-new-oom",
            CORE,
            "new could not allocate memory (out of heap); the size is on the last failed alloc call line",
            "free heap: fewer and smaller global buffers and Strings, close unused clients, print ESP.getFreeHeap() before TLS",
        ),
    ),
    (
        "Unhandled C++ exception",
        e(
            "esp8266-cpp-exception",
            CORE,
            "a C++ exception was thrown and nobody caught it",
            "catch it (try/catch) or fix the failing call named after the colon; decode the stack",
        ),
    ),
    (
        "Soft WDT reset",
        e(
            "esp8266-soft-wdt",
            CORE,
            "the software watchdog fired: loop() or a callback ran for about 3 seconds without yielding",
            WDT_FIX,
        ),
    ),
    (
        " - deliberate infinite loop detected",
        e(
            "esp8266-soft-wdt-sdk-loop",
            CORE_MASTER,
            "the watchdog caught the SDK in one of its deliberate endless loops, which it enters after printing an error",
            "read the SDK message printed just before (enable Serial.setDebugOutput(true) to see it)",
        ),
    ),
    (
        "wdt reset",
        e(
            "esp8266-hw-wdt",
            ROM,
            "the hardware watchdog reset the chip (after rst cause:4): there is no stack dump",
            "find the last line the sketch printed before it; look for loops without yield(), long work with interrupts off, or an interrupt handler that never returns",
        ),
    ),
    (
        "Stack overflow detected",
        e(
            "esp8266-stack-overflow",
            CORE_MASTER,
            "the sketch's stack (4 KB for loop()) overflowed",
            "move big local arrays and buffers to static or heap memory; avoid deep recursion",
        ),
    ),
    (
        "Stack smashing detected",
        e(
            "esp8266-stack-smash",
            CORE,
            "the stack guard was overwritten: a local array was written past its end, or the 4 KB loop() stack overflowed",
            "check local buffers (sprintf/strcpy into too small arrays); move big locals to static or heap",
        ),
    ),
    (
        "last failed alloc caller",
        e(
            "esp8266-oom-caller",
            CORE,
            "the address of the code whose new failed (printed after the report, decodable)",
            "decode the address with the sketch's .elf; free heap",
        ),
    ),
    (
        "last failed alloc call",
        e(
            "esp8266-oom-last-alloc",
            CORE,
            "the last allocation that failed before the crash: the caller's address and the size in bytes; out of memory is the likely cause",
            "free heap (TLS needs about 20 KB); print ESP.getFreeHeap() and ESP.getMaxFreeBlockSize() before the failing call",
        ),
    ),
    (
        ":oom(",
        e(
            "esp8266-oom-debug",
            "ESP8266 Arduino core with Debug level OOM",
            "an allocation failed: the size and the file:line that asked for it",
            "free heap; look at that file and line",
        ),
    ),
    (
        "Generic Reset",
        e(
            "esp8266-generic-reset",
            CORE,
            "the firmware restarted through the crash handler without a recorded cause",
            "read the lines before it; decode the stack",
        ),
    ),
    (
        "Exception (",
        e(
            "esp8266-exception",
            CORE,
            "the sketch crashed with a CPU exception; the number in brackets is the cause",
            DECODE_FIX,
        ),
    ),
    (
        "Fatal exception:",
        e(
            "esp8266-reset-info",
            CORE,
            "ESP.getResetInfo() after a restart: the cause number, the reset reason and the crash addresses of the previous run",
            "look the exception number up; decode epc1 with the sketch's .elf",
        ),
    ),
    (
        "Fatal exception ",
        e(
            "esp8266-sdk-fatal-exception",
            SDK,
            "the SDK's own crash line with the cause name; the core's report (Exception (N)) follows",
            DECODE_FIX,
        ),
    ),
    (
        "epc1=0x",
        e(
            "esp8266-exception-registers",
            CORE,
            "crash registers: epc1 is where the CPU was, excvaddr the address it tried to use",
            "an excvaddr near 0x00000000 is a null pointer; decode epc1 with the sketch's .elf",
        ),
    ),
    (
        ">>>stack>>>",
        e(
            "esp8266-stack-dump",
            CORE,
            "start of the stack dump",
            DECODE_FIX,
        ),
    ),
    (
        "<<<stack<<<",
        e(
            "esp8266-stack-dump-end",
            CORE,
            "end of the stack dump",
            DECODE_FIX,
        ),
    ),
    (
        "ctx: bearssl",
        e(
            "esp8266-ctx-bearssl",
            CORE,
            "the crash happened on BearSSL's own stack, inside TLS: heap corruption, too little memory, or bad certificate/key data",
            "check free heap before connecting; load certificates as X509List/PrivateKey objects that live as long as the client; decode the stack",
        ),
    ),
    (
        "ctx: cont",
        e(
            "esp8266-ctx-cont",
            CORE,
            "the crash happened in the sketch's own code (setup(), loop() and what they call)",
            DECODE_FIX,
        ),
    ),
    (
        "ctx: sys",
        e(
            "esp8266-ctx-sys",
            CORE,
            "the crash happened in system context: an interrupt handler, a WiFi or timer callback, or the SDK",
            "keep callbacks and interrupt handlers short; no delay(), yield(), Serial or network calls inside them; decode the stack",
        ),
    ),
    (
        "csum err",
        e(
            "esp8266-rom-csum-err",
            ROM,
            "the ROM found a bad checksum in the boot image: the flash holds no valid sketch, was written at the wrong address, or is read with the wrong Flash Mode",
            "erase the flash and upload again with the right board, Flash Size and Flash Mode (DOUT for ESP-01S/ESP8285)",
        ),
    ),
    (
        "ets_main.c",
        e(
            "esp8266-rom-ets-main",
            ROM,
            "the ROM gave up booting from flash and stopped",
            "erase the flash and upload the sketch again; check the Flash Mode and Size settings and the 3.3 V supply",
        ),
    ),
    (
        "rst cause:",
        e(
            "esp8266-rom-banner",
            ROM,
            "the ROM's boot banner (74880 baud): why the chip restarted and how the boot pins were set",
            "look the rst cause and the first boot mode number up",
        ),
    ),
    (
        "load 0x",
        e(
            "esp8266-rom-load",
            ROM,
            "the ROM is loading a segment of the bootloader from flash",
            "nothing to do",
        ),
    ),
    (
        "~ld",
        e(
            "esp8266-eboot-ld",
            EBOOT,
            "the bootloader is starting the sketch; from here on the sketch's own baud rate applies",
            "nothing to do; garbage after it means the monitor's baud differs from Serial.begin()",
        ),
    ),
    (
        "@cp:",
        e(
            "esp8266-eboot-ota-copy",
            EBOOT,
            "the bootloader is copying a new firmware after an OTA update; the number is its result (0 = success)",
            "a number other than 0 means the copy failed: upload over serial",
        ),
    ),
];
