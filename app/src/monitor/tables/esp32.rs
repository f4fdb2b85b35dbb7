//! ESP32-family boot, reset and crash codes: ROM reset reasons and boot modes, ESP-IDF's
//! `esp_reset_reason_t`, the panic handler's exception causes, literal crash and boot
//! lines, and `esp_err_t` codes.
//!
//! Sources (names and numbers transcribed, wording our own):
//! - espressif/esp-idf master @ 102122904ade11fd1ae373848f34ffd7dfb18aeb (2026-07-23), and
//!   tags v4.4 / v5.1 for strings that changed:
//!   `components/esp_rom/<chip>/include/<chip>/rom/rtc.h` (RESET_REASON numbers),
//!   `components/esp_system/include/esp_system.h` (esp_reset_reason_t),
//!   `components/esp_system/port/arch/{xtensa,riscv}/panic_arch.c`,
//!   `components/esp_system/port/panic_handler.c`, `components/esp_system/panic.c`,
//!   `components/esp_libc/src/{abort,assert}.c`, `components/esp_system/esp_err.c`,
//!   `components/esp_system/stack_check.c`, `components/esp_system/task_wdt/task_wdt.c`,
//!   `components/esp_hw_support/power_supply/brownout.c`,
//!   `components/freertos/FreeRTOS-Kernel/portable/*/port.c`, `components/heap/`,
//!   `components/bootloader_support/src/{esp_image_format,bootloader_utility,
//!   bootloader_common,flash_partitions}.c`, `components/spi_flash/esp_flash_spi_init.c`,
//!   `components/espcoredump/src/`, `components/esp_common/include/esp_err.h`,
//!   `components/esp-tls/esp_tls_errors.h`, `components/esp_wifi/include/esp_wifi.h`,
//!   `components/nvs_flash/include/nvs.h`, `components/esp_http_client/include/`,
//!   `components/esp_netif/include/`, `components/app_update/include/`,
//!   `components/spi_flash/include/`; ROM names that ESP-IDF itself expects from newer
//!   chips: `docs/en/security/*_log.inc`, `docs/en/api-guides/{fatal-errors,
//!   deep-sleep-stub,flash_psram_config}.rst`, `examples/system/deep_sleep_wake_stub/
//!   README.md`, `components/esp_hw_support/test_apps/rtc_8md256/pytest_rtc_8md256.py`,
//!   `components/esp_system/test_apps/cache_panic/main/test_cache_disabled.c`,
//!   `tools/test_apps/system/panic/panic_base/test_panic_util/panic_dut.py`,
//!   `components/esp_tee/test_apps/tee_test_fw/pytest_esp_tee_ut.py`.
//! - The ROM's own strings and its reset-reason pointer table, read from the ROM images
//!   `pc-bios/esp32-v3-rom.bin` (ESP32 rev 3, "ets Jul 29 2019 12:21:46") and
//!   `pc-bios/esp32c3-rom.bin` (esp32c3-api1) in esp32-open-mac/qemu @
//!   4a5c772afec5eef22716a908e115ebd1062210fa (copies of Espressif's QEMU ROM images).
//! - espressif/esptool @ bb72741ff4fadb2c6958564140e755b44288af32,
//!   `docs/en/advanced-topics/boot-mode-selection.rst` (`DOWNLOAD(USB/UART0)`).
//!
//! The ROM prints its own short names, not the `rtc.h` enum names: ESP32 prints the enum
//! names (plus `EXT_SYS_RESET` for 2), ESP32-S2/S3/C2/C3 print the shorter `*_RST` forms
//! of the C3 ROM's table, ESP32-C5/C6/H2/P4 print yet other names. Only names seen in
//! those sources are listed; a number missing for a chip means its ROM text is not
//! documented anywhere we could read.

use super::{Entry, e};

const XT: &str = "ESP32, ESP32-S2, ESP32-S3 (Xtensa; ESP-IDF, Arduino ESP32)";
const RV: &str =
    "ESP32-C2, ESP32-C3, ESP32-C5, ESP32-C6, ESP32-H2, ESP32-P4 (RISC-V; ESP-IDF, Arduino ESP32)";
const ALL: &str = "all ESP32 chips (ESP-IDF, Arduino ESP32)";
const ROM_ESP32: &str = "ESP32 first-stage ROM bootloader (any framework)";
const ROM_NEW: &str = "ESP32-S2/S3/C2/C3 first-stage ROM bootloader (any framework)";
const ROM_LP: &str = "ESP32-C5/C6/H2/P4 first-stage ROM bootloader (any framework)";
const BOOTLOADER: &str =
    "ESP-IDF second-stage bootloader, all ESP32 chips (ESP-IDF, Arduino ESP32)";
const IDF_ERR: &str = "esp_err_t, all ESP32 chips (ESP-IDF, Arduino ESP32 core 2.x/3.x)";
const TLS_ERR: &str =
    "esp-tls esp_err_t, all ESP32 chips (ESP-IDF esp-tls, esp-mqtt, esp_http_client)";

const S2_S3_C2_C3: &[&str] = &["ESP32-S2", "ESP32-S3", "ESP32-C2", "ESP32-C3"];
const S2_S3_C3: &[&str] = &["ESP32-S2", "ESP32-S3", "ESP32-C3"];
const S3_C3: &[&str] = &["ESP32-S3", "ESP32-C3"];

const POWER_FIX: &str = "power the board from a USB port or supply that gives 500 mA or more, use a short good cable, and add a 100-470 uF capacitor across 3V3 and GND";
const WDT_FIX: &str = "read the lines before the reset; give long loops a delay() or vTaskDelay(), and keep flash, TLS and WiFi work out of interrupt handlers";
const NULL_FIX_XT: &str = "look at EXCVADDR in the register dump: 0x00000000 or a small number means a null pointer (or a field of a null struct); decode the Backtrace addresses to find the line, and check what that pointer should have been set to; a garbled or short backtrace points at a stack overflow instead: give the task a bigger stack or move large buffers off it";
const NULL_FIX_RV: &str = "look at MTVAL in the register dump: 0x00000000 or a small number means a null pointer (or a field of a null struct); decode MEPC and the backtrace to find the line, and check what that pointer should have been set to; a garbled or short backtrace points at a stack overflow instead: give the task a bigger stack or move large buffers off it";

/// ROM reset reasons as printed in `rst:0x.. (NAME),boot:...`: the chips whose ROM prints
/// this name for this number, the number, and the reading (`name` is the ROM's text).
pub const ROM_RESET_REASONS: &[(&[&str], u8, Entry)] = &[
    // ESP32: the ROM's table, index = number.
    (
        &["ESP32"],
        0x0,
        e(
            "NO_MEAN",
            ROM_ESP32,
            "the chip could not tell why it reset",
            "read the lines before the reset",
        ),
    ),
    (
        &["ESP32"],
        0x1,
        e(
            "POWERON_RESET",
            ROM_ESP32,
            "the board was powered on, or the EN/RESET button or the USB-serial chip reset it",
            "nothing to do",
        ),
    ),
    (
        &["ESP32"],
        0x2,
        e(
            "EXT_SYS_RESET",
            ROM_ESP32,
            "an external reset signal restarted the chip",
            "nothing to do unless it repeats; then check what drives the EN pin",
        ),
    ),
    (
        &["ESP32"],
        0x3,
        e(
            "SW_RESET",
            ROM_ESP32,
            "the firmware restarted the whole chip (esp_restart, a panic, or the brownout handler)",
            "read the lines above the reset: a Guru Meditation, abort() or brownout message says why",
        ),
    ),
    (
        &["ESP32"],
        0x4,
        e(
            "OWDT_RESET",
            ROM_ESP32,
            "the legacy watchdog reset the chip",
            WDT_FIX,
        ),
    ),
    (
        &["ESP32"],
        0x5,
        e(
            "DEEPSLEEP_RESET",
            ROM_ESP32,
            "the chip woke from deep sleep",
            "nothing to do",
        ),
    ),
    (
        &["ESP32"],
        0x6,
        e(
            "SDIO_RESET",
            ROM_ESP32,
            "the SDIO host reset the chip",
            "nothing to do unless the board is an SDIO WiFi module",
        ),
    ),
    (
        &["ESP32"],
        0x7,
        e(
            "TG0WDT_SYS_RESET",
            ROM_ESP32,
            "watchdog timer group 0 reset the chip: the firmware (or the bootloader) hung",
            WDT_FIX,
        ),
    ),
    (
        &["ESP32"],
        0x8,
        e(
            "TG1WDT_SYS_RESET",
            ROM_ESP32,
            "watchdog timer group 1 (the interrupt watchdog) reset the chip: an interrupt or critical section ran too long",
            WDT_FIX,
        ),
    ),
    (
        &["ESP32"],
        0x9,
        e(
            "RTCWDT_SYS_RESET",
            ROM_ESP32,
            "the RTC watchdog reset the chip",
            WDT_FIX,
        ),
    ),
    (
        &["ESP32"],
        0xA,
        e(
            "INTRUSION_RESET",
            ROM_ESP32,
            "the intrusion detector reset the CPU",
            "check the power supply; if it repeats the chip may be damaged",
        ),
    ),
    (
        &["ESP32"],
        0xB,
        e(
            "TGWDT_CPU_RESET",
            ROM_ESP32,
            "a timer-group watchdog reset the CPU",
            WDT_FIX,
        ),
    ),
    (
        &["ESP32"],
        0xC,
        e(
            "SW_CPU_RESET",
            ROM_ESP32,
            "the firmware restarted itself (after a panic, or on purpose)",
            "read the lines above the reset",
        ),
    ),
    (
        &["ESP32"],
        0xD,
        e(
            "RTCWDT_CPU_RESET",
            ROM_ESP32,
            "the RTC watchdog reset the CPU",
            WDT_FIX,
        ),
    ),
    (
        &["ESP32"],
        0xE,
        e(
            "EXT_CPU_RESET",
            ROM_ESP32,
            "the second core (APP CPU) was reset by the first; normal at start-up",
            "nothing to do",
        ),
    ),
    (
        &["ESP32"],
        0xF,
        e(
            "RTCWDT_BROWN_OUT_RESET",
            ROM_ESP32,
            "the supply voltage dropped below the brownout level: the WiFi radio's current peaks were too much for the power source",
            POWER_FIX,
        ),
    ),
    (
        &["ESP32"],
        0x10,
        e(
            "RTCWDT_RTC_RESET",
            ROM_ESP32,
            "the RTC watchdog reset the whole chip: usually the start-up (bootloader to app_main) took too long or hung",
            "read the last lines before the reset; check the flash and PSRAM settings match the module, and the power supply",
        ),
    ),
    // ESP32-S2/S3/C2/C3: names from the C3 ROM's table, confirmed for S2/S3/C2 where the
    // ESP-IDF docs and tests show them.
    (
        &[
            "ESP32-S2", "ESP32-S3", "ESP32-C2", "ESP32-C3", "ESP32-C5", "ESP32-C6", "ESP32-H2",
            "ESP32-P4",
        ],
        0x1,
        e(
            "POWERON",
            "ESP32-S2/S3/C2/C3/C5/C6/H2/P4 first-stage ROM bootloader (any framework)",
            "the board was powered on, or the RESET button or the USB-serial chip reset it",
            "nothing to do",
        ),
    ),
    (
        S2_S3_C2_C3,
        0x3,
        e(
            "RTC_SW_SYS_RST",
            ROM_NEW,
            "the firmware restarted the whole chip (esp_restart, a panic, or the brownout handler)",
            "read the lines above the reset: a Guru Meditation, abort() or brownout message says why",
        ),
    ),
    (
        S2_S3_C2_C3,
        0x5,
        e(
            "DSLEEP",
            ROM_NEW,
            "the chip woke from deep sleep",
            "nothing to do",
        ),
    ),
    (
        S2_S3_C2_C3,
        0x7,
        e(
            "TG0WDT_SYS_RST",
            ROM_NEW,
            "watchdog timer group 0 reset the chip: the firmware (or the bootloader) hung",
            WDT_FIX,
        ),
    ),
    (
        S2_S3_C3,
        0x8,
        e(
            "TG1WDT_SYS_RST",
            "ESP32-S2/S3/C3 first-stage ROM bootloader (any framework)",
            "watchdog timer group 1 (the interrupt watchdog) reset the chip: an interrupt or critical section ran too long, or the CPU hung on a memory access",
            "read the lines before the reset; if nothing printed, check PSRAM/flash pins are not reused as GPIOs",
        ),
    ),
    (
        S2_S3_C2_C3,
        0x9,
        e(
            "RTCWDT_SYS_RST",
            ROM_NEW,
            "the RTC watchdog reset the chip",
            WDT_FIX,
        ),
    ),
    (
        S2_S3_C2_C3,
        0xA,
        e(
            "INTRUSION_RST",
            ROM_NEW,
            "the intrusion detector reset the CPU",
            "check the power supply; if it repeats the chip may be damaged",
        ),
    ),
    (
        S2_S3_C2_C3,
        0xB,
        e(
            "TG0WDT_CPU_RST",
            ROM_NEW,
            "watchdog timer group 0 reset the CPU",
            WDT_FIX,
        ),
    ),
    (
        &["ESP32-S2", "ESP32-S3", "ESP32-C2", "ESP32-C3", "ESP32-P4"],
        0xC,
        e(
            "RTC_SW_CPU_RST",
            "ESP32-S2/S3/C2/C3/P4 first-stage ROM bootloader (any framework)",
            "the firmware restarted itself (after a panic, or on purpose)",
            "read the lines above the reset",
        ),
    ),
    (
        S2_S3_C2_C3,
        0xD,
        e(
            "RTCWDT_CPU_RST",
            ROM_NEW,
            "the RTC watchdog reset the CPU",
            WDT_FIX,
        ),
    ),
    (
        S2_S3_C2_C3,
        0xF,
        e(
            "BROWNOUT_RST",
            ROM_NEW,
            "the supply voltage dropped below the brownout level: the WiFi radio's current peaks were too much for the power source",
            POWER_FIX,
        ),
    ),
    (
        S2_S3_C2_C3,
        0x10,
        e(
            "RTCWDT_RTC_RST",
            ROM_NEW,
            "the RTC watchdog reset the whole chip: usually the start-up (bootloader to app_main) took too long or hung",
            "read the last lines before the reset; check the flash and PSRAM settings match the module, and the power supply",
        ),
    ),
    (
        S2_S3_C3,
        0x11,
        e(
            "TG1WDT_CPU_RST",
            "ESP32-S2/S3/C3 first-stage ROM bootloader (any framework)",
            "watchdog timer group 1 reset the CPU",
            WDT_FIX,
        ),
    ),
    (
        S2_S3_C2_C3,
        0x12,
        e(
            "SUPER_WDT_RST",
            ROM_NEW,
            "the super watchdog reset the chip",
            WDT_FIX,
        ),
    ),
    (
        S2_S3_C2_C3,
        0x13,
        e(
            "GLITCH_RTC_RST",
            ROM_NEW,
            "a clock or voltage glitch reset the chip",
            POWER_FIX,
        ),
    ),
    (
        S2_S3_C2_C3,
        0x14,
        e(
            "EFUSE_RST",
            ROM_NEW,
            "an eFuse check failed and reset the chip",
            "retry from a clean power-on; if it repeats the chip's eFuses may be damaged",
        ),
    ),
    (
        S3_C3,
        0x15,
        e(
            "USB_UART_CHIP_RESET",
            "ESP32-S3/C3 first-stage ROM bootloader (any framework)",
            "the built-in USB serial port reset the chip (a flashing tool or a terminal that toggles DTR/RTS)",
            "nothing to do",
        ),
    ),
    (
        S3_C3,
        0x16,
        e(
            "USB_JTAG_CHIP_RESET",
            "ESP32-S3/C3 first-stage ROM bootloader (any framework)",
            "the built-in USB-JTAG reset the chip (flashing or opening the port)",
            "nothing to do",
        ),
    ),
    (
        S3_C3,
        0x17,
        e(
            "POWER_GLITCH_RESET",
            "ESP32-S3/C3 first-stage ROM bootloader (any framework)",
            "a power glitch reset the chip",
            POWER_FIX,
        ),
    ),
    // ESP32-C5/C6/H2/P4: names ESP-IDF's own docs and tests expect.
    (
        &["ESP32-C6", "ESP32-H2"],
        0x3,
        e(
            "LP_SW_HPSYS",
            "ESP32-C6/H2 first-stage ROM bootloader (any framework)",
            "the firmware restarted the whole chip (esp_restart, a panic, or the brownout handler)",
            "read the lines above the reset: a Guru Meditation, abort() or brownout message says why",
        ),
    ),
    (
        &["ESP32-C5"],
        0x3,
        e(
            "RTC_SW_HPSYS",
            "ESP32-C5 first-stage ROM bootloader (any framework)",
            "the firmware restarted the whole chip (esp_restart, a panic, or the brownout handler)",
            "read the lines above the reset: a Guru Meditation, abort() or brownout message says why",
        ),
    ),
    (
        &["ESP32-P4"],
        0x3,
        e(
            "SW_SYS_RESET",
            "ESP32-P4 first-stage ROM bootloader (any framework)",
            "the firmware restarted the whole chip (esp_restart, a panic, or the brownout handler)",
            "read the lines above the reset: a Guru Meditation, abort() or brownout message says why",
        ),
    ),
    (
        &["ESP32-C6"],
        0x5,
        e(
            "SLEEP_WAKEUP",
            "ESP32-C6 first-stage ROM bootloader (any framework)",
            "the chip woke from deep sleep",
            "nothing to do",
        ),
    ),
    (
        &["ESP32-C5", "ESP32-C6", "ESP32-H2"],
        0xC,
        e(
            "SW_CPU",
            "ESP32-C5/C6/H2 first-stage ROM bootloader (any framework)",
            "the firmware restarted itself (after a panic, or on purpose)",
            "read the lines above the reset",
        ),
    ),
    (
        &["ESP32-C6", "ESP32-H2", "ESP32-P4"],
        0x10,
        e(
            "LP_WDT_SYS",
            ROM_LP,
            "the low-power (RTC) watchdog reset the whole chip: usually the start-up took too long or the panic handler hung",
            "read the last lines before the reset; check the flash and PSRAM settings match the module, and the power supply",
        ),
    ),
    (
        &["ESP32-C5"],
        0x10,
        e(
            "RTC_WDT_SYS",
            "ESP32-C5 first-stage ROM bootloader (any framework)",
            "the RTC watchdog reset the whole chip: usually the start-up took too long or the panic handler hung",
            "read the last lines before the reset; check the flash and PSRAM settings match the module, and the power supply",
        ),
    ),
    (
        &["ESP32-P4"],
        0x10,
        e(
            "CHIP_LP_WDT_RESET",
            "ESP32-P4 first-stage ROM bootloader, later ROM revisions (any framework)",
            "the low-power watchdog reset the whole chip: usually the start-up took too long or the panic handler hung",
            "read the last lines before the reset; check the flash and PSRAM settings match the module, and the power supply",
        ),
    ),
    (
        &["ESP32-P4"],
        0x17,
        e(
            "CHIP_USB_UART_RESET",
            "ESP32-P4 first-stage ROM bootloader (any framework)",
            "the built-in USB serial port reset the chip (a flashing tool or a terminal that toggles DTR/RTS)",
            "nothing to do",
        ),
    ),
];

/// Boot modes, keyed by the text in parentheses after `boot:0x..` (the strapping pins
/// the ROM read at reset).
pub const BOOT_MODES: &[(&str, Entry)] = &[
    (
        "SPI_FAST_FLASH_BOOT",
        e(
            "SPI_FAST_FLASH_BOOT",
            "all ESP32 chips, first-stage ROM bootloader",
            "normal boot: the chip runs the firmware in flash",
            "nothing to do",
        ),
    ),
    (
        "DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2)",
        e(
            "DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2)",
            ROM_ESP32,
            "download mode: GPIO0 was low at reset (BOOT held, or a flashing tool asked for it), so the firmware does not run",
            "press EN/RESET without holding BOOT; if it stays, check nothing pulls GPIO0 low",
        ),
    ),
    (
        "DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_FEO_V2)",
        e(
            "DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_FEO_V2)",
            ROM_ESP32,
            "download mode with an unusual SDIO timing strap: GPIO0 low, and MTDO (GPIO15) or GPIO5 not at their usual level",
            "press EN/RESET without holding BOOT; check what is wired to GPIO0, GPIO5 and GPIO15",
        ),
    ),
    (
        "DOWNLOAD_BOOT(UART0/UART1/SDIO_FEI_FEO_V2)",
        e(
            "DOWNLOAD_BOOT(UART0/UART1/SDIO_FEI_FEO_V2)",
            ROM_ESP32,
            "download mode with an unusual SDIO timing strap: GPIO0 low, and MTDO (GPIO15) or GPIO5 not at their usual level",
            "press EN/RESET without holding BOOT; check what is wired to GPIO0, GPIO5 and GPIO15",
        ),
    ),
    (
        "DOWNLOAD_BOOT(UART0/UART1/SDIO_FEI_REO_V2)",
        e(
            "DOWNLOAD_BOOT(UART0/UART1/SDIO_FEI_REO_V2)",
            ROM_ESP32,
            "download mode with an unusual SDIO timing strap: GPIO0 low, and MTDO (GPIO15) or GPIO5 not at their usual level",
            "press EN/RESET without holding BOOT; check what is wired to GPIO0, GPIO5 and GPIO15",
        ),
    ),
    (
        "UART_BOOT(UART0)",
        e(
            "UART_BOOT(UART0)",
            ROM_ESP32,
            "an unsupported boot mode was strapped: the firmware in flash does not run",
            "check the strapping pins GPIO0, GPIO2, GPIO5, GPIO12 and GPIO15 for pull-ups or pull-downs from your wiring",
        ),
    ),
    (
        "HSPI_FLASH_BOOT",
        e(
            "HSPI_FLASH_BOOT",
            ROM_ESP32,
            "the chip tries to boot from flash on the HSPI pins, which a normal module does not use: the strapping pins are wrong",
            "check that GPIO2 is not pulled high while GPIO0 is low, and what is wired to GPIO12 and GPIO15",
        ),
    ),
    (
        "SPI_FLASH_BOOT",
        e(
            "SPI_FLASH_BOOT",
            "ESP32, ESP32-C3 first-stage ROM bootloader",
            "an unusual (unsupported) flash boot mode was strapped",
            "check the strapping pins: on ESP32 GPIO2 and GPIO0, on ESP32-C3 GPIO8 and GPIO9",
        ),
    ),
    (
        "SDIO_REI_FEO_V1_BOOT",
        e(
            "SDIO_REI_FEO_V1_BOOT",
            ROM_ESP32,
            "an unsupported SDIO boot mode was strapped: the firmware in flash does not run",
            "check the strapping pins GPIO0, GPIO2, GPIO5 and GPIO15",
        ),
    ),
    (
        "ATE_BOOT",
        e(
            "ATE_BOOT",
            ROM_ESP32,
            "a factory test boot mode was strapped: the firmware in flash does not run",
            "check the strapping pins GPIO0, GPIO2, GPIO5 and GPIO15",
        ),
    ),
    (
        "DOWNLOAD(USB/UART0/1)",
        e(
            "DOWNLOAD(USB/UART0/1)",
            "ESP32-C3 first-stage ROM bootloader (and chips with the same ROM text)",
            "download mode: the BOOT pin was low at reset (BOOT held, or a flashing tool asked for it), so the firmware does not run",
            "press RESET without holding BOOT; if it stays, check nothing pulls the BOOT pin (GPIO9 on C3) low",
        ),
    ),
    (
        "DOWNLOAD(USB/UART0)",
        e(
            "DOWNLOAD(USB/UART0)",
            "ESP32-S3 first-stage ROM bootloader (and chips with the same ROM text)",
            "download mode: GPIO0 was low at reset (BOOT held, or a flashing tool asked for it), so the firmware does not run",
            "press RESET without holding BOOT; if it stays, check nothing pulls GPIO0 low",
        ),
    ),
    (
        "SPI_DOWNLOAD_BOOT",
        e(
            "SPI_DOWNLOAD_BOOT",
            "ESP32-C3 first-stage ROM bootloader",
            "the ROM waits for a download over SPI: BOOT (GPIO9) and GPIO8 were both low at reset",
            "make sure GPIO8 is pulled high at reset (do not load it with an LED or sensor to GND)",
        ),
    ),
    (
        "UART0_BOOT",
        e(
            "UART0_BOOT",
            "ESP32-C3 first-stage ROM bootloader",
            "the ROM waits for a flashing tool on UART0 only",
            "press RESET without holding BOOT",
        ),
    ),
    (
        "USB_BOOT",
        e(
            "USB_BOOT",
            "ESP32-C3 first-stage ROM bootloader",
            "the ROM waits for a flashing tool on the built-in USB only",
            "press RESET without holding BOOT",
        ),
    ),
];

/// `esp_reset_reason_t` (what `esp_reset_reason()` returns; apps print the number or name).
pub const ESP_RESET_REASONS: &[(u8, Entry)] = &[
    (
        0,
        e(
            "ESP_RST_UNKNOWN",
            ALL,
            "the firmware could not tell why the chip reset",
            "read the ROM's rst: line instead",
        ),
    ),
    (
        1,
        e(
            "ESP_RST_POWERON",
            ALL,
            "the board was powered on",
            "nothing to do",
        ),
    ),
    (
        2,
        e(
            "ESP_RST_EXT",
            "all ESP32 chips except ESP32 (ESP-IDF, Arduino ESP32)",
            "the reset pin was pulled",
            "nothing to do unless nobody pressed RESET; then check the EN/RST wiring",
        ),
    ),
    (
        3,
        e(
            "ESP_RST_SW",
            ALL,
            "the firmware called esp_restart() (ESP.restart() in Arduino)",
            "nothing to do, unless the restart was not meant: search the code for restart calls",
        ),
    ),
    (
        4,
        e(
            "ESP_RST_PANIC",
            ALL,
            "the firmware crashed (exception, abort() or failed assert) and restarted",
            "read the Guru Meditation or abort() lines of the previous boot and decode the backtrace",
        ),
    ),
    (
        5,
        e(
            "ESP_RST_INT_WDT",
            ALL,
            "the interrupt watchdog fired: an interrupt handler or critical section ran too long",
            WDT_FIX,
        ),
    ),
    (
        6,
        e(
            "ESP_RST_TASK_WDT",
            ALL,
            "the task watchdog fired: a task kept the CPU busy and starved the idle task",
            WDT_FIX,
        ),
    ),
    (
        7,
        e(
            "ESP_RST_WDT",
            ALL,
            "another watchdog (RTC or timer group) reset the chip",
            WDT_FIX,
        ),
    ),
    (
        8,
        e(
            "ESP_RST_DEEPSLEEP",
            ALL,
            "the chip woke from deep sleep",
            "nothing to do",
        ),
    ),
    (
        9,
        e(
            "ESP_RST_BROWNOUT",
            ALL,
            "the supply voltage dropped below the brownout level",
            POWER_FIX,
        ),
    ),
    (
        10,
        e(
            "ESP_RST_SDIO",
            ALL,
            "the SDIO host reset the chip",
            "nothing to do unless the board is an SDIO WiFi module",
        ),
    ),
    (
        11,
        e(
            "ESP_RST_USB",
            "chips with built-in USB (ESP-IDF 5.x, Arduino ESP32 core 3.x)",
            "the built-in USB port reset the chip (flashing or opening the port)",
            "nothing to do",
        ),
    ),
    (
        12,
        e(
            "ESP_RST_JTAG",
            "all ESP32 chips (ESP-IDF 5.x, Arduino ESP32 core 3.x)",
            "a JTAG debugger reset the chip",
            "nothing to do",
        ),
    ),
    (
        13,
        e(
            "ESP_RST_EFUSE",
            "all ESP32 chips (ESP-IDF 5.x, Arduino ESP32 core 3.x)",
            "an eFuse error reset the chip",
            "retry from a clean power-on; if it repeats the chip may be damaged",
        ),
    ),
    (
        14,
        e(
            "ESP_RST_PWR_GLITCH",
            "all ESP32 chips (ESP-IDF 5.x, Arduino ESP32 core 3.x)",
            "a power glitch reset the chip",
            POWER_FIX,
        ),
    ),
    (
        15,
        e(
            "ESP_RST_CPU_LOCKUP",
            "all ESP32 chips (ESP-IDF 5.x, Arduino ESP32 core 3.x)",
            "the CPU locked up (an exception inside the exception handler) and the chip reset",
            "read the lines before the reset; often a stack overflow or memory corruption",
        ),
    ),
];

/// Panic causes, keyed by the exact text in `Guru Meditation Error: Core  N panic'ed (...)`.
pub const PANIC_CAUSES: &[(&str, Entry)] = &[
    // Xtensa EXCCAUSE names (panic_arch.c `reason[]`, index = EXCCAUSE).
    (
        "IllegalInstruction",
        e(
            "IllegalInstruction",
            XT,
            "the CPU hit an invalid instruction: a FreeRTOS task function returned, a C++ function missed its return value, or code could not be read from flash",
            "make task functions end with vTaskDelete(NULL), return a value from every non-void function, and do not use the flash pins (GPIO6-11 on ESP32) as GPIOs",
        ),
    ),
    (
        "Syscall",
        e(
            "Syscall",
            XT,
            "a SYSCALL instruction ran that nothing handles",
            "decode the backtrace to find the code; usually corrupted code or a stray jump",
        ),
    ),
    (
        "InstructionFetchError",
        e(
            "InstructionFetchError",
            XT,
            "the CPU could not fetch an instruction: the program counter points to bad memory",
            "decode the backtrace; look for a corrupted function pointer or a stack overflow",
        ),
    ),
    (
        "LoadStoreError",
        e(
            "LoadStoreError",
            XT,
            "the code read or wrote memory that does not allow it: a byte access to instruction memory, or a write to flash-mapped data",
            "do not write to const data or string literals, and use 32-bit reads for data placed in IRAM",
        ),
    ),
    (
        "Level1Interrupt",
        e(
            "Level1Interrupt",
            XT,
            "an interrupt arrived that nothing handles",
            "check interrupt handlers you registered and that the driver was installed",
        ),
    ),
    (
        "Alloca",
        e(
            "Alloca",
            XT,
            "a stack-window exception was not handled",
            "decode the backtrace; often a stack overflow",
        ),
    ),
    (
        "IntegerDivideByZero",
        e(
            "IntegerDivideByZero",
            XT,
            "the code divided an integer by zero",
            "decode the backtrace and guard the division against a zero divisor",
        ),
    ),
    (
        "PCValue",
        e(
            "PCValue",
            XT,
            "the program counter took an invalid value",
            "decode the backtrace; look for a corrupted function pointer or a stack overflow",
        ),
    ),
    (
        "Privileged",
        e(
            "Privileged",
            XT,
            "code tried a privileged instruction",
            "decode the backtrace; usually corrupted code or a stray jump",
        ),
    ),
    (
        "LoadStoreAlignment",
        e(
            "LoadStoreAlignment",
            XT,
            "a 16- or 32-bit read or write used an address that is not aligned to its size",
            "decode the backtrace; do not cast byte buffers to int or struct pointers, copy with memcpy() instead",
        ),
    ),
    (
        "res",
        e(
            "res",
            XT,
            "a reserved exception cause was reported",
            "decode the backtrace; usually memory corruption",
        ),
    ),
    (
        "InstrPDAddrError",
        e(
            "InstrPDAddrError",
            XT,
            "an instruction fetch hit a bad address",
            "decode the backtrace; look for a corrupted function pointer",
        ),
    ),
    (
        "LoadStorePIFDataError",
        e(
            "LoadStorePIFDataError",
            XT,
            "a read or write failed on the processor bus",
            "decode the backtrace; check the pointer used there",
        ),
    ),
    (
        "InstrPIFAddrError",
        e(
            "InstrPIFAddrError",
            XT,
            "an instruction fetch failed on the processor bus",
            "decode the backtrace; look for a corrupted function pointer",
        ),
    ),
    (
        "LoadStorePIFAddrError",
        e(
            "LoadStorePIFAddrError",
            XT,
            "a read or write used an address the processor bus rejected",
            "decode the backtrace; check the pointer used there",
        ),
    ),
    (
        "InstTLBMiss",
        e(
            "InstTLBMiss",
            XT,
            "an instruction fetch missed the memory map",
            "decode the backtrace; look for a corrupted function pointer",
        ),
    ),
    (
        "InstTLBMultiHit",
        e(
            "InstTLBMultiHit",
            XT,
            "an instruction fetch matched the memory map twice",
            "decode the backtrace; usually memory corruption",
        ),
    ),
    (
        "InstFetchPrivilege",
        e(
            "InstFetchPrivilege",
            XT,
            "code was fetched from memory it may not run from",
            "decode the backtrace; look for a corrupted function pointer",
        ),
    ),
    (
        "InstrFetchProhibited",
        e(
            "InstrFetchProhibited",
            XT,
            "the CPU jumped to an address that holds no code: a null or garbage function pointer (PC is 0 or not 0x4xxxxxxx)",
            "look at PC in the register dump; check callbacks and function pointers are set before use, and look for a stack overflow",
        ),
    ),
    (
        "LoadStoreTLBMiss",
        e(
            "LoadStoreTLBMiss",
            XT,
            "a read or write missed the memory map",
            "decode the backtrace; check the pointer used there",
        ),
    ),
    (
        "LoadStoreTLBMultihit",
        e(
            "LoadStoreTLBMultihit",
            XT,
            "a read or write matched the memory map twice",
            "decode the backtrace; usually memory corruption",
        ),
    ),
    (
        "LoadStorePrivilege",
        e(
            "LoadStorePrivilege",
            XT,
            "a read or write touched memory it may not access",
            "decode the backtrace; check the pointer used there",
        ),
    ),
    (
        "LoadProhibited",
        e(
            "LoadProhibited",
            XT,
            "the code read from an invalid address: most often a null pointer, otherwise an uninitialised or freed one, or a pointer a stack overflow wrote over (a large local buffer in a task with a small stack)",
            NULL_FIX_XT,
        ),
    ),
    (
        "StoreProhibited",
        e(
            "StoreProhibited",
            XT,
            "the code wrote to an invalid address: most often a null pointer, otherwise an uninitialised or freed one, or a pointer a stack overflow wrote over (a large local buffer in a task with a small stack)",
            NULL_FIX_XT,
        ),
    ),
    (
        "Cp0Dis",
        e(
            "Cp0Dis",
            XT,
            "code used the floating-point unit (coprocessor 0) where it is disabled, e.g. float maths in an interrupt handler",
            "do not use float or double inside interrupt handlers",
        ),
    ),
    (
        "Cp1Dis",
        e(
            "Cp1Dis",
            XT,
            "code used coprocessor 1 while it was disabled",
            "decode the backtrace; usually corrupted code",
        ),
    ),
    (
        "Cp2Dis",
        e(
            "Cp2Dis",
            XT,
            "code used coprocessor 2 while it was disabled",
            "decode the backtrace; usually corrupted code",
        ),
    ),
    (
        "Cp3Dis",
        e(
            "Cp3Dis",
            XT,
            "code used coprocessor 3 while it was disabled",
            "decode the backtrace; usually corrupted code",
        ),
    ),
    (
        "Cp4Dis",
        e(
            "Cp4Dis",
            XT,
            "code used coprocessor 4 while it was disabled",
            "decode the backtrace; usually corrupted code",
        ),
    ),
    (
        "Cp5Dis",
        e(
            "Cp5Dis",
            XT,
            "code used coprocessor 5 while it was disabled",
            "decode the backtrace; usually corrupted code",
        ),
    ),
    (
        "Cp6Dis",
        e(
            "Cp6Dis",
            XT,
            "code used coprocessor 6 while it was disabled",
            "decode the backtrace; usually corrupted code",
        ),
    ),
    (
        "Cp7Dis",
        e(
            "Cp7Dis",
            XT,
            "code used coprocessor 7 while it was disabled",
            "decode the backtrace; usually corrupted code",
        ),
    ),
    // Xtensa pseudo causes (panic_soc_fill_info `pseudo_reason[]`).
    (
        "Unhandled debug exception",
        e(
            "Unhandled debug exception",
            XT,
            "a debug event stopped the CPU: most often a task overflowed its stack (the next line says \"Stack canary watchpoint triggered\"), or a BREAK instruction ran",
            "read the \"Debug exception reason:\" line; for a stack canary give that task a bigger stack (xTaskCreate stack size, or SET_LOOP_TASK_STACK_SIZE in Arduino)",
        ),
    ),
    (
        "Double exception",
        e(
            "Double exception",
            XT,
            "an exception happened while handling another one: usually a stack overflow or memory corruption",
            "give the crashing task a bigger stack and look for buffer overruns",
        ),
    ),
    (
        "Unhandled kernel exception",
        e(
            "Unhandled kernel exception",
            XT,
            "an exception happened in kernel mode that nothing handles",
            "decode the backtrace; usually memory corruption",
        ),
    ),
    (
        "Coprocessor exception",
        e(
            "Coprocessor exception",
            XT,
            "the floating-point unit failed to switch between tasks",
            "do not use float or double inside interrupt handlers; decode the backtrace",
        ),
    ),
    (
        "Interrupt wdt timeout on CPU0",
        e(
            "Interrupt wdt timeout on CPU0",
            "all ESP32 chips (ESP-IDF, Arduino ESP32)",
            "the interrupt watchdog fired on core 0: an interrupt handler or critical section (or disabled interrupts) ran too long",
            "keep interrupt handlers short, never wait or print inside them or inside portENTER_CRITICAL, and decode the backtrace to find the spot",
        ),
    ),
    (
        "Interrupt wdt timeout on CPU1",
        e(
            "Interrupt wdt timeout on CPU1",
            "dual-core chips: ESP32, ESP32-S3, ESP32-P4 (ESP-IDF, Arduino ESP32)",
            "the interrupt watchdog fired on core 1 (where Arduino's loop() runs): an interrupt handler or critical section ran too long",
            "keep interrupt handlers short, never wait or print inside them or inside portENTER_CRITICAL, and decode the backtrace to find the spot",
        ),
    ),
    (
        "Cache error",
        e(
            "Cache error",
            "all ESP32 chips (ESP-IDF 5.5+ on Xtensa, all versions on RISC-V; Arduino ESP32)",
            "code or data in flash was used while the flash cache was off (during a flash write or erase), or an access hit a bad cached address",
            "mark interrupt handlers that run during flash writes IRAM_ATTR and keep their data in RAM; read the line after the register dump for the failing address",
        ),
    ),
    (
        "Cache disabled but cached memory region accessed",
        e(
            "Cache disabled but cached memory region accessed",
            "ESP32, ESP32-S2, ESP32-S3 (Xtensa; ESP-IDF up to 5.4 and the Arduino ESP32 cores built on it)",
            "code or data in flash was used while the flash cache was off (during a flash write or erase)",
            "mark interrupt handlers that run during flash writes IRAM_ATTR and keep their data in RAM",
        ),
    ),
    (
        "Memory protection fault",
        e(
            "Memory protection fault",
            "ESP32-S2, ESP32-C3, ESP32-C6, ESP32-H2 and others with memory protection (ESP-IDF, Arduino ESP32)",
            "code tried to write to instruction memory or run code from data memory",
            "read the fault address on the next lines; look for a buffer overrun or a corrupted function pointer",
        ),
    ),
    (
        "Unknown reason",
        e(
            "Unknown reason",
            ALL,
            "the panic handler could not name the cause",
            "read the register dump and decode the backtrace",
        ),
    ),
    (
        "Unknown",
        e(
            "Unknown",
            ALL,
            "the CPU reported an exception number the panic handler has no name for",
            "read the register dump (EXCCAUSE or MCAUSE) and decode the backtrace",
        ),
    ),
    // RISC-V mcause names (panic_arch.c `reason[]`, index = MCAUSE).
    (
        "Instruction address misaligned",
        e(
            "Instruction address misaligned",
            RV,
            "the CPU jumped to an odd address: a corrupted function pointer or return address",
            "decode MEPC and the backtrace; look for a stack overflow or a bad function pointer",
        ),
    ),
    (
        "Instruction access fault",
        e(
            "Instruction access fault",
            RV,
            "the CPU jumped to an address that holds no code: a null or garbage function pointer",
            "look at MTVAL and MEPC in the register dump: 0x00000000 means a null function pointer; check callbacks are set before use",
        ),
    ),
    (
        "Illegal instruction",
        e(
            "Illegal instruction",
            RV,
            "the CPU hit an invalid instruction: a FreeRTOS task function returned, a C++ function missed its return value, or code could not be read from flash",
            "make task functions end with vTaskDelete(NULL), return a value from every non-void function, and do not use the flash pins as GPIOs",
        ),
    ),
    (
        "Breakpoint",
        e(
            "Breakpoint",
            RV,
            "an EBREAK ran: with the end-of-stack watchpoint on, a task overflowed its stack; otherwise a breakpoint was left in the code",
            "give the running task a bigger stack (xTaskCreate stack size, or SET_LOOP_TASK_STACK_SIZE in Arduino) and decode the backtrace",
        ),
    ),
    (
        "Load address misaligned",
        e(
            "Load address misaligned",
            RV,
            "a 16- or 32-bit read used an address that is not aligned to its size",
            "decode the backtrace; do not cast byte buffers to int or struct pointers, copy with memcpy() instead",
        ),
    ),
    (
        "Load access fault",
        e(
            "Load access fault",
            RV,
            "the code read from an invalid address: most often a null pointer, otherwise an uninitialised or freed one, or a pointer a stack overflow wrote over (a large local buffer in a task with a small stack)",
            NULL_FIX_RV,
        ),
    ),
    (
        "Store address misaligned",
        e(
            "Store address misaligned",
            RV,
            "a 16- or 32-bit write used an address that is not aligned to its size",
            "decode the backtrace; do not cast byte buffers to int or struct pointers, copy with memcpy() instead",
        ),
    ),
    (
        "Store access fault",
        e(
            "Store access fault",
            RV,
            "the code wrote to an invalid address: most often a null pointer, otherwise an uninitialised or freed one, or a pointer a stack overflow wrote over (a large local buffer in a task with a small stack)",
            NULL_FIX_RV,
        ),
    ),
    (
        "Environment call from U-mode",
        e(
            "Environment call from U-mode",
            RV,
            "user-mode code made a system call that nothing handles",
            "decode the backtrace; usually a stray ECALL from corrupted code",
        ),
    ),
    (
        "Environment call from S-mode",
        e(
            "Environment call from S-mode",
            RV,
            "supervisor-mode code made a system call that nothing handles",
            "decode the backtrace; usually a stray ECALL from corrupted code",
        ),
    ),
    (
        "Environment call from M-mode",
        e(
            "Environment call from M-mode",
            RV,
            "machine-mode code made a system call that nothing handles",
            "decode the backtrace; usually a stray ECALL from corrupted code",
        ),
    ),
    (
        "Instruction page fault",
        e(
            "Instruction page fault",
            RV,
            "an instruction fetch failed the memory map",
            "decode the backtrace; look for a corrupted function pointer",
        ),
    ),
    (
        "Load page fault",
        e(
            "Load page fault",
            RV,
            "a read failed the memory map",
            "look at MTVAL for the address; check the pointer used there",
        ),
    ),
    (
        "Store page fault",
        e(
            "Store page fault",
            RV,
            "a write failed the memory map",
            "look at MTVAL for the address; check the pointer used there",
        ),
    ),
    (
        "Stack protection fault",
        e(
            "Stack protection fault",
            "RISC-V chips with the hardware stack guard: ESP32-C2/C3/C5/C6/H2/P4 (ESP-IDF, Arduino ESP32)",
            "a task ran past the end of its stack (the hardware stack guard caught it); the next lines name the task",
            "give that task a bigger stack (xTaskCreate stack size, or SET_LOOP_TASK_STACK_SIZE in Arduino); TLS handshakes need 6-8 KB",
        ),
    ),
];

/// Literal substrings of crash and boot lines, with a stable rule id as `name`. More
/// specific keys come before the general ones they contain.
pub const CRASH_LINES: &[(&str, Entry)] = &[
    (
        "Brownout detector was triggered",
        e(
            "esp32-brownout",
            "all ESP32 chips (ESP-IDF, Arduino ESP32); printed as \"E BOD: ...\" on ESP-IDF 5.x",
            "the supply voltage dropped below the brownout level and the chip restarts; if it repeats at the same moment (WiFi start) the power source is too weak",
            POWER_FIX,
        ),
    ),
    (
        "Stack canary watchpoint triggered (",
        e(
            "esp32-stack-canary",
            XT,
            "the task named in parentheses overflowed its stack",
            "give that task a bigger stack (xTaskCreate stack size, or SET_LOOP_TASK_STACK_SIZE in Arduino); TLS handshakes need 6-8 KB",
        ),
    ),
    (
        "***ERROR*** A stack overflow in task",
        e(
            "esp32-stack-overflow",
            ALL,
            "FreeRTOS found that the named task overflowed its stack",
            "give that task a bigger stack (xTaskCreate stack size, or SET_LOOP_TASK_STACK_SIZE in Arduino), and move big local arrays to the heap",
        ),
    ),
    (
        "Stack smashing protect failure!",
        e(
            "esp32-stack-smashing",
            "all ESP32 chips with stack smashing protection on (ESP-IDF, Arduino ESP32)",
            "a function wrote past the end of a local array",
            "decode the backtrace and check the sizes of local buffers in that function (strcpy, sprintf, array indexes)",
        ),
    ),
    (
        "Task watchdog got triggered",
        e(
            "esp32-task-wdt",
            ALL,
            "a task kept the CPU busy for seconds and the idle task (IDLE0/IDLE1) could not run; the lines after name the tasks",
            "add delay() or vTaskDelay() in long loops, do not wait in busy loops, and look at the task listed as running",
        ),
    ),
    (
        "abort() was called at PC",
        e(
            "esp32-abort",
            ALL,
            "the firmware stopped itself on purpose: a failed check, out of memory in C++ (new), or an error it could not handle",
            "read the line just above (ESP_ERROR_CHECK, assert or CORRUPT HEAP) and decode the backtrace",
        ),
    ),
    (
        "assert failed:",
        e(
            "esp32-assert",
            "all ESP32 chips (ESP-IDF 4.4+, Arduino ESP32 core 2.x/3.x)",
            "a check in the code failed: the line names the function, file, line and condition",
            "open that file at that line; the condition says what was wrong (often a null handle or a call made before init)",
        ),
    ),
    (
        "assertion \"",
        e(
            "esp32-assert-newlib",
            "all ESP32 chips (ESP-IDF before 4.4, Arduino ESP32 core 1.x)",
            "a check in the code failed: the line names the condition, file, line and function",
            "open that file at that line; the condition says what was wrong (often a null handle or a call made before init)",
        ),
    ),
    (
        "CORRUPT HEAP:",
        e(
            "esp32-corrupt-heap",
            ALL,
            "heap memory was damaged: code wrote past the end of a buffer or used memory after freeing it",
            "look for buffer overruns and use-after-free near the crash; turn on heap poisoning (comprehensive) to catch it sooner",
        ),
    ),
    (
        "ESP_ERROR_CHECK_WITHOUT_ABORT failed",
        e(
            "esp32-esp-error-check-no-abort",
            ALL,
            "an ESP-IDF call returned an error; the firmware logged it and went on",
            "read the esp_err_t name on the line and the file/line after it",
        ),
    ),
    (
        "ESP_ERROR_CHECK failed",
        e(
            "esp32-esp-error-check",
            ALL,
            "an ESP-IDF call returned an error inside ESP_ERROR_CHECK, so the firmware aborted",
            "read the esp_err_t name on the line and the file, line and expression after it; handle that error instead of aborting",
        ),
    ),
    (
        "Guru Meditation Error",
        e(
            "esp32-guru-meditation",
            ALL,
            "the firmware crashed; the cause is in parentheses",
            "read the cause, then decode the Backtrace addresses with the firmware's ELF file",
        ),
    ),
    (
        "Debug exception reason:",
        e(
            "esp32-debug-exception",
            XT,
            "the reason for an \"Unhandled debug exception\": a stack canary, a watchpoint or a BREAK instruction",
            "for \"Stack canary watchpoint triggered\", give the named task a bigger stack",
        ),
    ),
    (
        "Panic handler entered multiple times",
        e(
            "esp32-panic-loop",
            ALL,
            "the crash handler itself crashed, so it reboots without details",
            "look at the first Guru Meditation lines; often a stack overflow or heap corruption",
        ),
    ),
    (
        "|<-CORRUPTED",
        e(
            "esp32-backtrace-corrupted",
            XT,
            "the backtrace stopped at a damaged stack frame: often a stack overflow",
            "give the crashing task a bigger stack and look for buffer overruns",
        ),
    ),
    (
        "Backtrace:",
        e(
            "esp32-backtrace",
            ALL,
            "the call stack of the crash as PC:SP address pairs; the first pair is where it crashed",
            "decode the addresses with the firmware's ELF file (thingflash does it for its own firmware)",
        ),
    ),
    (
        "ELF file SHA256:",
        e(
            "esp32-elf-sha256",
            ALL,
            "the build id of the firmware that crashed",
            "decode the backtrace with the ELF file of exactly this build",
        ),
    ),
    (
        "Rebooting...",
        e(
            "esp32-rebooting",
            ALL,
            "the firmware restarts after a crash or esp_restart()",
            "read the lines above for the reason",
        ),
    ),
    (
        "CPU halted.",
        e(
            "esp32-cpu-halted",
            ALL,
            "the firmware crashed and is set to halt instead of rebooting",
            "read the lines above, then press RESET",
        ),
    ),
    (
        "================= CORE DUMP START =================",
        e(
            "esp32-core-dump-uart",
            ALL,
            "the firmware prints a core dump of the crash to the serial port",
            "save the log and open it with idf.py coredump-info and the ELF file",
        ),
    ),
    (
        "Core dump has been saved to flash.",
        e(
            "esp32-core-dump-saved",
            ALL,
            "a core dump of the crash was written to the coredump partition",
            "read it with idf.py coredump-info, or esptool read-flash and the ELF file",
        ),
    ),
    (
        "No core dump partition found!",
        e(
            "esp32-core-dump-no-partition",
            ALL,
            "core dumps to flash are on but the partition table has no coredump partition",
            "add a coredump partition to the partition table, or turn core dumps off",
        ),
    ),
    (
        "Core dump flash config is corrupted!",
        e(
            "esp32-core-dump-config-corrupt",
            ALL,
            "the core dump settings in RAM were overwritten: memory corruption",
            "look for buffer overruns; the first crash lines matter more",
        ),
    ),
    (
        "Core dump data check failed",
        e(
            "esp32-core-dump-check-failed",
            ALL,
            "the core dump in flash is damaged, from an old crash, or (Image checksum='ffffffff') not there at all: the coredump partition is erased because the board never saved a crash, which is harmless",
            "with checksum ffffffff nothing needs doing; otherwise erase the coredump partition and wait for the next crash",
        ),
    ),
    (
        "flash read err, ",
        e(
            "rom-flash-read-err",
            ROM_ESP32,
            "the ROM could not read the bootloader from flash (the number is the address, 0x1000 on an ESP32): on an ESP32, GPIO12 (MTDI) high at reset selects 1.8 V for the flash, which a 3.3 V flash does not run on; a flash mode the chip cannot read; a plaintext bootloader on a flash-encrypted chip; or flash that was slow to power up (at power-on or after deep sleep: harmless when the next reset boots normally)",
            "check in order: 1) nothing pulls GPIO12 high at reset (or burn the flash voltage eFuse: espefuse.py set_flash_voltage 3.3V, on 3.3 V modules only); 2) flash the bootloader in DIO mode; 3) re-flash the bootloader the way the chip expects (encrypted if flash encryption is on); 4) if it happens once at power-on and the next boot is fine, it is the slow-flash erratum and can be ignored",
        ),
    ),
    (
        "ets_main.c ",
        e(
            "rom-ets-main",
            ROM_ESP32,
            "the ROM stopped at an internal check; the line before says why (usually flash read err)",
            "read the line before; re-flash the bootloader",
        ),
    ),
    (
        "load:0xffffffff,len:-1",
        e(
            "rom-load-erased-segment",
            ROM_ESP32,
            "the ROM read only 0xFF where the bootloader's segments should be: nothing was flashed at the bootloader's offset, or the flash is read in a mode it does not support (QIO on a DIO-only flash) so every byte reads 0xFF",
            "flash the whole firmware again, with --flash-mode dio if the module's flash is not QIO-capable; the bootloader goes at 0x1000 on ESP32/S2, 0x0 on S3/C2/C3/C6/H2",
        ),
    ),
    (
        "invalid magic number 0x",
        e(
            "bootloader-partition-magic",
            "ESP-IDF and ESP8266 RTOS SDK second-stage bootloader (flash_partitions.c)",
            "the partition table read back as garbage: the flash is read in a mode it does not support (QIO on a DIO-only flash), or no partition table was written at its offset (0x8000)",
            "flash again in DIO mode (--flash-mode dio; ESP-IDF: Serial flasher config > Flash SPI mode), and write the partition table with the firmware",
        ),
    ),
    (
        "invalid header: 0xffffffff",
        e(
            "rom-invalid-header-erased",
            "ESP32-S2/S3/C2/C3/C5/C6/H2/P4 and ESP32 ROM (any framework)",
            "the flash is empty where the bootloader should be: nothing was flashed, or the bootloader went to the wrong offset",
            "flash the board with thingflash (a full flash, not credentials-only); the bootloader goes at 0x1000 on ESP32/S2, 0x0 on S3/C2/C3/C6/H2, 0x2000 on C5/P4",
        ),
    ),
    (
        "invalid header: 0x",
        e(
            "rom-invalid-header",
            "ESP32-S2/S3/C2/C3/C5/C6/H2/P4 and ESP32 ROM (any framework)",
            "the ROM found no valid bootloader: wrong offset, wrong chip's image, flash encryption mismatch, or a flash wiring problem",
            "re-flash the full firmware for this chip with thingflash; check nothing is wired to the flash pins",
        ),
    ),
    (
        "csum err:",
        e(
            "rom-csum-err",
            ROM_ESP32,
            "the bootloader image in flash is damaged (checksum mismatch)",
            "re-flash the board with thingflash; if it repeats, lower the flash speed or check the flash power",
        ),
    ),
    (
        "Checksum failure. Calculated",
        e(
            "rom-checksum-failure",
            ROM_NEW,
            "the bootloader image in flash is damaged (checksum mismatch)",
            "re-flash the board with thingflash; if it repeats, lower the flash speed or check the flash power",
        ),
    ),
    (
        "Invalid chip id. Expected",
        e(
            "rom-wrong-chip",
            ROM_NEW,
            "the bootloader in flash was built for a different chip",
            "flash the firmware built for this chip (thingflash picks it from the detected chip)",
        ),
    ),
    (
        "wrong chip id 0x",
        e(
            "rom-wrong-chip-esp32",
            ROM_ESP32,
            "the bootloader in flash was built for a different chip",
            "flash the firmware built for this chip (thingflash picks it from the detected chip)",
        ),
    ),
    (
        "Saved PC:0x",
        e(
            "rom-saved-pc",
            ROM_NEW,
            "the address the CPU was running when the reset hit (printed after a watchdog or software reset)",
            "decode that address with the ELF file to see where the firmware hung",
        ),
    ),
    (
        "wait spi download",
        e(
            "rom-wait-spi-download",
            "ESP32-C3 first-stage ROM bootloader",
            "the ROM waits for a download over SPI: BOOT (GPIO9) and GPIO8 were both low at reset",
            "make sure GPIO8 is pulled high at reset and press RESET without holding BOOT",
        ),
    ),
    (
        "waiting for download",
        e(
            "rom-waiting-for-download",
            "all ESP32 chips, first-stage ROM bootloader",
            "the chip is in download mode and waits for a flashing tool: the BOOT strapping pin (GPIO0 on ESP32/S2/S3, GPIO9 on C2/C3/C6/H2) was low at reset",
            "flash with thingflash, or press RESET without holding BOOT; if nobody held BOOT, something wired to the BOOT pin holds it low at reset",
        ),
    ),
    (
        "OTA image has invalid magic byte",
        e(
            "ota-invalid-magic",
            "all ESP32 chips (ESP-IDF app_update, Arduino Update/HTTPUpdate)",
            "the OTA download is not a firmware image (an HTML error page, or the wrong file)",
            "check the OTA URL returns the .bin of the app (not the merged or bootloader image) and that the server answers 200",
        ),
    ),
    (
        "has invalid magic byte",
        e(
            "bootloader-invalid-magic",
            BOOTLOADER,
            "no app image at the partition's address: nothing flashed there, or the app was flashed at the wrong offset",
            "flash the full firmware with thingflash (bootloader, partition table and app at their offsets; the app usually at 0x10000)",
        ),
    ),
    (
        "No bootable app partitions in the partition table",
        e(
            "bootloader-no-app",
            BOOTLOADER,
            "the bootloader found no valid app in any app partition",
            "flash the full firmware with thingflash; check the partition table matches the app's offset",
        ),
    ),
    (
        " is not bootable",
        e(
            "bootloader-partition-not-bootable",
            BOOTLOADER,
            "the app partition named on the line holds no valid app",
            "flash the app to that partition's offset, or the full firmware with thingflash",
        ),
    ),
    (
        "Failed to verify partition table",
        e(
            "bootloader-partition-table",
            BOOTLOADER,
            "the partition table at 0x8000 is missing or damaged",
            "flash the full firmware with thingflash (partition table included); check its offset matches the bootloader's setting",
        ),
    ),
    (
        "invalid magic number 0x",
        e(
            "bootloader-partition-entry",
            BOOTLOADER,
            "an entry of the partition table is damaged or the table is not at the expected offset",
            "flash the full firmware with thingflash (partition table included)",
        ),
    ),
    (
        "Checksum failed. Calculated",
        e(
            "bootloader-checksum",
            BOOTLOADER,
            "the app image in flash is damaged (checksum mismatch)",
            "re-flash the board with thingflash; if it repeats, lower the flash speed or check the power supply",
        ),
    ),
    (
        "Image hash failed - image is corrupt",
        e(
            "bootloader-hash",
            BOOTLOADER,
            "the app image in flash is damaged (SHA-256 mismatch)",
            "re-flash the board with thingflash; if it repeats, lower the flash speed or check the power supply",
        ),
    ),
    (
        "larger than the size in the binary image header",
        e(
            "esp32-flash-size-larger",
            "all ESP32 chips (ESP-IDF spi_flash, Arduino ESP32)",
            "the flash chip is bigger than the firmware was built for; the firmware only uses the smaller size",
            "nothing breaks; to use all of it, build with the module's real flash size",
        ),
    ),
    (
        "smaller than the size in the binary image header",
        e(
            "esp32-flash-size-smaller",
            "all ESP32 chips (ESP-IDF spi_flash, Arduino ESP32)",
            "the firmware was built for a bigger flash chip than the module has",
            "build with the module's real flash size (e.g. 4MB) and a partition table that fits it",
        ),
    ),
];

/// `esp_err_t` codes (what `esp_err_to_name` and `ESP_ERROR_CHECK` print).
pub const ESP_ERRORS: &[(i32, Entry)] = &[
    (0, e("ESP_OK", IDF_ERR, "success", "nothing to do")),
    (
        -1,
        e(
            "ESP_FAIL",
            IDF_ERR,
            "a generic failure; the call did not say why",
            "read the log lines just before; they usually name the real cause",
        ),
    ),
    (
        0x101,
        e(
            "ESP_ERR_NO_MEM",
            IDF_ERR,
            "out of memory: a TLS connection needs about 40 KB of free heap",
            "free memory before connecting (fewer buffers, smaller JSON documents), and check for leaks between reconnects",
        ),
    ),
    (
        0x102,
        e(
            "ESP_ERR_INVALID_ARG",
            IDF_ERR,
            "a function got a bad argument (often a null pointer or an empty string)",
            "check the values passed to the call named on the line",
        ),
    ),
    (
        0x103,
        e(
            "ESP_ERR_INVALID_STATE",
            IDF_ERR,
            "the call was made at the wrong time: the driver is not started yet, or already started",
            "check the order of init calls (nvs_flash_init, esp_netif_init, esp_event_loop_create_default, then WiFi)",
        ),
    ),
    (
        0x104,
        e(
            "ESP_ERR_INVALID_SIZE",
            IDF_ERR,
            "a size or length is wrong",
            "check buffer sizes passed to the call named on the line",
        ),
    ),
    (
        0x105,
        e(
            "ESP_ERR_NOT_FOUND",
            IDF_ERR,
            "what was asked for does not exist (a partition, a key, a certificate)",
            "check the name; for credentials, flash them again with thingflash",
        ),
    ),
    (
        0x106,
        e(
            "ESP_ERR_NOT_SUPPORTED",
            IDF_ERR,
            "this chip or build does not support the operation",
            "check the feature is enabled in the configuration and exists on this chip",
        ),
    ),
    (
        0x107,
        e(
            "ESP_ERR_TIMEOUT",
            IDF_ERR,
            "an operation timed out",
            "check the network or the peripheral; raise the timeout if the link is slow",
        ),
    ),
    (
        0x108,
        e(
            "ESP_ERR_INVALID_RESPONSE",
            IDF_ERR,
            "the other side answered with something invalid",
            "check the server or device answers what the code expects",
        ),
    ),
    (
        0x109,
        e(
            "ESP_ERR_INVALID_CRC",
            IDF_ERR,
            "a checksum did not match: the data is damaged",
            "write or flash the data again",
        ),
    ),
    (
        0x10A,
        e(
            "ESP_ERR_INVALID_VERSION",
            IDF_ERR,
            "the data has a version this firmware does not understand",
            "erase and rewrite the data with the same firmware version",
        ),
    ),
    (
        0x10B,
        e(
            "ESP_ERR_INVALID_MAC",
            IDF_ERR,
            "the MAC address is invalid",
            "check the MAC address set in code; do not use a multicast address",
        ),
    ),
    (
        0x10C,
        e(
            "ESP_ERR_NOT_FINISHED",
            IDF_ERR,
            "the operation is not finished yet",
            "call it again or wait for it to complete",
        ),
    ),
    (
        0x10D,
        e(
            "ESP_ERR_NOT_ALLOWED",
            "esp_err_t, all ESP32 chips (ESP-IDF 5.x, Arduino ESP32 core 3.x)",
            "the operation is not allowed here",
            "check the call is made from a task (not an interrupt) and with the right permissions",
        ),
    ),
    // NVS (nvs.h): where Arduino Preferences and ESP-IDF keep WiFi and credentials.
    (
        0x1101,
        e(
            "ESP_ERR_NVS_NOT_INITIALIZED",
            IDF_ERR,
            "NVS storage was used before nvs_flash_init()",
            "call nvs_flash_init() at start-up, before WiFi",
        ),
    ),
    (
        0x1102,
        e(
            "ESP_ERR_NVS_NOT_FOUND",
            IDF_ERR,
            "the key or namespace is not in NVS: the credentials were never stored on this board",
            "store them again (flash the credentials with thingflash)",
        ),
    ),
    (
        0x1103,
        e(
            "ESP_ERR_NVS_TYPE_MISMATCH",
            IDF_ERR,
            "the value in NVS has another type than the code reads",
            "read it with the type it was written with, or erase the key and write it again",
        ),
    ),
    (
        0x1104,
        e(
            "ESP_ERR_NVS_READ_ONLY",
            IDF_ERR,
            "the NVS handle was opened read-only",
            "open it with NVS_READWRITE to write",
        ),
    ),
    (
        0x1105,
        e(
            "ESP_ERR_NVS_NOT_ENOUGH_SPACE",
            IDF_ERR,
            "the NVS partition is full",
            "erase unused keys, or make the nvs partition bigger",
        ),
    ),
    (
        0x1106,
        e(
            "ESP_ERR_NVS_INVALID_NAME",
            IDF_ERR,
            "the namespace name is not valid",
            "use a namespace of at most 15 characters",
        ),
    ),
    (
        0x1107,
        e(
            "ESP_ERR_NVS_INVALID_HANDLE",
            IDF_ERR,
            "the NVS handle is closed or null",
            "open the namespace before reading and do not use a handle after nvs_close()",
        ),
    ),
    (
        0x1108,
        e(
            "ESP_ERR_NVS_REMOVE_FAILED",
            IDF_ERR,
            "a flash write failed while updating NVS; it finishes at the next init",
            "check the power supply during writes",
        ),
    ),
    (
        0x1109,
        e(
            "ESP_ERR_NVS_KEY_TOO_LONG",
            IDF_ERR,
            "the key name is too long",
            "use keys of at most 15 characters",
        ),
    ),
    (
        0x110A,
        e(
            "ESP_ERR_NVS_PAGE_FULL",
            IDF_ERR,
            "an NVS page is full (internal)",
            "nothing to do; if it shows, erase the nvs partition",
        ),
    ),
    (
        0x110B,
        e(
            "ESP_ERR_NVS_INVALID_STATE",
            IDF_ERR,
            "NVS is inconsistent after an earlier error",
            "call nvs_flash_init() and nvs_open() again, then retry",
        ),
    ),
    (
        0x110C,
        e(
            "ESP_ERR_NVS_INVALID_LENGTH",
            IDF_ERR,
            "the buffer is too small for the stored string or blob (a long certificate, for example)",
            "ask for the length first (pass a null buffer) and allocate that much",
        ),
    ),
    (
        0x110D,
        e(
            "ESP_ERR_NVS_NO_FREE_PAGES",
            IDF_ERR,
            "the NVS partition has no empty page, often after the partition table changed",
            "erase the nvs partition (nvs_flash_erase() then nvs_flash_init()) and store the credentials again",
        ),
    ),
    (
        0x110E,
        e(
            "ESP_ERR_NVS_VALUE_TOO_LONG",
            IDF_ERR,
            "the value is too long for NVS (strings up to 4000 bytes)",
            "store long certificates as a blob, or in a file system",
        ),
    ),
    (
        0x110F,
        e(
            "ESP_ERR_NVS_PART_NOT_FOUND",
            IDF_ERR,
            "the partition table has no partition of that name",
            "check the partition table has an nvs partition (flash the full firmware)",
        ),
    ),
    (
        0x1110,
        e(
            "ESP_ERR_NVS_NEW_VERSION_FOUND",
            IDF_ERR,
            "NVS holds data in a newer format than this firmware reads",
            "erase the nvs partition (nvs_flash_erase() then nvs_flash_init()) and store the credentials again",
        ),
    ),
    (
        0x1111,
        e(
            "ESP_ERR_NVS_XTS_ENCR_FAILED",
            IDF_ERR,
            "encrypting an NVS entry failed",
            "check the NVS encryption keys partition",
        ),
    ),
    (
        0x1112,
        e(
            "ESP_ERR_NVS_XTS_DECR_FAILED",
            IDF_ERR,
            "decrypting an NVS entry failed: wrong keys",
            "check the NVS keys partition belongs to this data; erase both to start over",
        ),
    ),
    (
        0x1113,
        e(
            "ESP_ERR_NVS_XTS_CFG_FAILED",
            IDF_ERR,
            "setting up NVS encryption failed",
            "check the NVS keys partition",
        ),
    ),
    (
        0x1114,
        e(
            "ESP_ERR_NVS_XTS_CFG_NOT_FOUND",
            IDF_ERR,
            "no NVS encryption settings found",
            "check the partition table has an nvs_keys partition",
        ),
    ),
    (
        0x1115,
        e(
            "ESP_ERR_NVS_ENCR_NOT_SUPPORTED",
            IDF_ERR,
            "NVS encryption is not supported in this build",
            "turn NVS encryption off, or enable it in the configuration",
        ),
    ),
    (
        0x1116,
        e(
            "ESP_ERR_NVS_KEYS_NOT_INITIALIZED",
            IDF_ERR,
            "the NVS keys partition is empty",
            "generate the NVS keys (nvs_flash_generate_keys) or flash them",
        ),
    ),
    (
        0x1117,
        e(
            "ESP_ERR_NVS_CORRUPT_KEY_PART",
            IDF_ERR,
            "the NVS keys partition is damaged",
            "erase it and the nvs partition, then store the credentials again",
        ),
    ),
    (
        0x1118,
        e(
            "ESP_ERR_NVS_CONTENT_DIFFERS",
            IDF_ERR,
            "internal NVS comparison result",
            "nothing to do",
        ),
    ),
    (
        0x1119,
        e(
            "ESP_ERR_NVS_WRONG_ENCRYPTION",
            IDF_ERR,
            "the nvs partition is marked encrypted in the partition table, which NVS does not allow",
            "remove the encrypted flag from the nvs partition; use NVS encryption instead",
        ),
    ),
    // OTA and image (esp_ota_ops.h, esp_image_format.h).
    (
        0x1501,
        e(
            "ESP_ERR_OTA_PARTITION_CONFLICT",
            IDF_ERR,
            "the OTA tried to write the partition that is running",
            "write the update to the other OTA slot (esp_ota_get_next_update_partition)",
        ),
    ),
    (
        0x1502,
        e(
            "ESP_ERR_OTA_SELECT_INFO_INVALID",
            IDF_ERR,
            "the otadata partition is damaged",
            "erase otadata (the board then boots the factory or first app)",
        ),
    ),
    (
        0x1503,
        e(
            "ESP_ERR_OTA_VALIDATE_FAILED",
            IDF_ERR,
            "the downloaded image is not a valid app for this chip",
            "check the OTA file is the app .bin for this chip and downloaded completely",
        ),
    ),
    (
        0x1504,
        e(
            "ESP_ERR_OTA_SMALL_SEC_VER",
            IDF_ERR,
            "the update's security version is lower than the running one",
            "build the update with a security version at least as high",
        ),
    ),
    (
        0x1505,
        e(
            "ESP_ERR_OTA_ROLLBACK_FAILED",
            IDF_ERR,
            "there is no valid older app to roll back to",
            "flash a working app with thingflash",
        ),
    ),
    (
        0x1506,
        e(
            "ESP_ERR_OTA_ROLLBACK_INVALID_STATE",
            IDF_ERR,
            "the running app is still pending validation, so no new OTA can start",
            "call esp_ota_mark_app_valid_cancel_rollback() once the new app works",
        ),
    ),
    (
        0x1507,
        e(
            "ESP_ERR_OTA_ALREADY_IN_PROGRESS",
            "esp_err_t, all ESP32 chips (ESP-IDF 5.x)",
            "another OTA is already writing that partition",
            "wait for the first OTA to finish or abort it",
        ),
    ),
    (
        0x1508,
        e(
            "ESP_ERR_OTA_SPI_MODE_MISMATCH",
            "esp_err_t, all ESP32 chips (ESP-IDF 5.x)",
            "the update was built for another flash mode than the running firmware",
            "build the update with the same flash mode (QIO/DIO) as the board",
        ),
    ),
    (
        0x2001,
        e(
            "ESP_ERR_IMAGE_FLASH_FAIL",
            IDF_ERR,
            "reading the app image from flash failed",
            "re-flash the board; check the flash power supply",
        ),
    ),
    (
        0x2002,
        e(
            "ESP_ERR_IMAGE_INVALID",
            IDF_ERR,
            "the app image in flash is not valid",
            "flash the full firmware with thingflash",
        ),
    ),
    // WiFi (esp_wifi.h).
    (
        0x3001,
        e(
            "ESP_ERR_WIFI_NOT_INIT",
            IDF_ERR,
            "a WiFi function was called before esp_wifi_init()",
            "call esp_wifi_init() first (in Arduino, WiFi.mode() or WiFi.begin())",
        ),
    ),
    (
        0x3002,
        e(
            "ESP_ERR_WIFI_NOT_STARTED",
            IDF_ERR,
            "a WiFi function was called before esp_wifi_start()",
            "call esp_wifi_start() before connecting or scanning",
        ),
    ),
    (
        0x3003,
        e(
            "ESP_ERR_WIFI_NOT_STOPPED",
            IDF_ERR,
            "WiFi must be stopped for this call",
            "call esp_wifi_stop() first",
        ),
    ),
    (
        0x3004,
        e(
            "ESP_ERR_WIFI_IF",
            IDF_ERR,
            "the WiFi interface (station or access point) is wrong for this call",
            "use the station interface for connecting",
        ),
    ),
    (
        0x3005,
        e(
            "ESP_ERR_WIFI_MODE",
            IDF_ERR,
            "the WiFi mode does not allow this call",
            "set station mode (WIFI_MODE_STA, WiFi.mode(WIFI_STA)) before connecting",
        ),
    ),
    (
        0x3006,
        e(
            "ESP_ERR_WIFI_STATE",
            IDF_ERR,
            "the WiFi driver is busy (connecting or scanning)",
            "wait for the current connect or scan to finish",
        ),
    ),
    (
        0x3007,
        e(
            "ESP_ERR_WIFI_CONN",
            IDF_ERR,
            "the WiFi driver's connection state is broken",
            "restart WiFi (stop, then start)",
        ),
    ),
    (
        0x3008,
        e(
            "ESP_ERR_WIFI_NVS",
            IDF_ERR,
            "WiFi could not use NVS to keep its settings",
            "call nvs_flash_init() before esp_wifi_init(); erase nvs if it reports no free pages",
        ),
    ),
    (
        0x3009,
        e(
            "ESP_ERR_WIFI_MAC",
            IDF_ERR,
            "the MAC address is invalid",
            "do not set a multicast MAC address",
        ),
    ),
    (
        0x300A,
        e(
            "ESP_ERR_WIFI_SSID",
            IDF_ERR,
            "the network name is invalid (empty or longer than 32 bytes)",
            "check the SSID in the credentials",
        ),
    ),
    (
        0x300B,
        e(
            "ESP_ERR_WIFI_PASSWORD",
            IDF_ERR,
            "the WiFi password is invalid: WPA passwords are 8 to 63 characters",
            "check the password in the credentials",
        ),
    ),
    (
        0x300C,
        e(
            "ESP_ERR_WIFI_TIMEOUT",
            IDF_ERR,
            "a WiFi operation timed out",
            "retry; check the access point is in range",
        ),
    ),
    (
        0x300D,
        e(
            "ESP_ERR_WIFI_WAKE_FAIL",
            IDF_ERR,
            "the WiFi radio did not wake from sleep",
            "retry; check the power supply",
        ),
    ),
    (
        0x300E,
        e(
            "ESP_ERR_WIFI_WOULD_BLOCK",
            IDF_ERR,
            "the call would have to wait",
            "retry later",
        ),
    ),
    (
        0x300F,
        e(
            "ESP_ERR_WIFI_NOT_CONNECT",
            IDF_ERR,
            "the station is not connected to an access point",
            "wait for the connection (got IP) before using the network",
        ),
    ),
    (
        0x3012,
        e(
            "ESP_ERR_WIFI_POST",
            IDF_ERR,
            "WiFi could not post an event to its task (event queue full)",
            "keep event handlers short; create the default event loop before WiFi",
        ),
    ),
    (
        0x3013,
        e(
            "ESP_ERR_WIFI_INIT_STATE",
            IDF_ERR,
            "WiFi init or deinit was called in the wrong state",
            "init WiFi once, and deinit only after stopping it",
        ),
    ),
    (
        0x3014,
        e(
            "ESP_ERR_WIFI_STOP_STATE",
            IDF_ERR,
            "WiFi is stopping",
            "wait for it to stop before calling again",
        ),
    ),
    (
        0x3015,
        e(
            "ESP_ERR_WIFI_NOT_ASSOC",
            IDF_ERR,
            "the WiFi connection is not associated",
            "wait for the connection before this call",
        ),
    ),
    (
        0x3016,
        e(
            "ESP_ERR_WIFI_TX_DISALLOW",
            IDF_ERR,
            "WiFi is not allowed to send right now",
            "retry later",
        ),
    ),
    (
        0x3017,
        e(
            "ESP_ERR_WIFI_TWT_FULL",
            "esp_err_t, WiFi 6 chips (ESP-IDF 5.x)",
            "no free target-wake-time flow",
            "tear down an unused TWT flow",
        ),
    ),
    (
        0x3018,
        e(
            "ESP_ERR_WIFI_TWT_SETUP_TIMEOUT",
            "esp_err_t, WiFi 6 chips (ESP-IDF 5.x)",
            "the access point did not answer the TWT setup",
            "retry, or do not use TWT with this access point",
        ),
    ),
    (
        0x3019,
        e(
            "ESP_ERR_WIFI_TWT_SETUP_TXFAIL",
            "esp_err_t, WiFi 6 chips (ESP-IDF 5.x)",
            "sending the TWT setup failed",
            "retry",
        ),
    ),
    (
        0x301A,
        e(
            "ESP_ERR_WIFI_TWT_SETUP_REJECT",
            "esp_err_t, WiFi 6 chips (ESP-IDF 5.x)",
            "the access point refused the TWT setup",
            "do not use TWT with this access point",
        ),
    ),
    (
        0x301B,
        e(
            "ESP_ERR_WIFI_DISCARD",
            "esp_err_t, all ESP32 chips (ESP-IDF 5.x)",
            "the WiFi frame was discarded",
            "nothing to do",
        ),
    ),
    (
        0x301C,
        e(
            "ESP_ERR_WIFI_ROC_IN_PROGRESS",
            "esp_err_t, all ESP32 chips (ESP-IDF 5.x)",
            "a remain-on-channel operation is in progress",
            "wait for it to finish",
        ),
    ),
    // esp_netif (esp_netif_types.h).
    (
        0x5002,
        e(
            "ESP_ERR_ESP_NETIF_IF_NOT_READY",
            IDF_ERR,
            "the network interface is not up yet",
            "wait for the got-IP event before using the network",
        ),
    ),
    (
        0x5003,
        e(
            "ESP_ERR_ESP_NETIF_DHCPC_START_FAILED",
            IDF_ERR,
            "the DHCP client did not start",
            "restart WiFi; check esp_netif_init() ran once",
        ),
    ),
    (
        0x5004,
        e(
            "ESP_ERR_ESP_NETIF_DHCP_ALREADY_STARTED",
            IDF_ERR,
            "DHCP is already running",
            "stop DHCP before setting a static IP",
        ),
    ),
    (
        0x5005,
        e(
            "ESP_ERR_ESP_NETIF_DHCP_ALREADY_STOPPED",
            IDF_ERR,
            "DHCP is already stopped",
            "nothing to do",
        ),
    ),
    (
        0x5007,
        e(
            "ESP_ERR_ESP_NETIF_DHCP_NOT_STOPPED",
            IDF_ERR,
            "DHCP must be stopped for this call",
            "stop DHCP before setting a static IP or DNS",
        ),
    ),
    (
        0x5009,
        e(
            "ESP_ERR_ESP_NETIF_INIT_FAILED",
            IDF_ERR,
            "the network interface could not be created",
            "call esp_netif_init() once at start-up; check free memory",
        ),
    ),
    (
        0x500A,
        e(
            "ESP_ERR_ESP_NETIF_DNS_NOT_CONFIGURED",
            IDF_ERR,
            "no DNS server is set, so host names cannot be resolved",
            "use DHCP, or set a DNS server (e.g. 1.1.1.1) with a static IP",
        ),
    ),
    (
        0x500D,
        e(
            "ESP_ERR_ESP_NETIF_DHCPS_START_FAILED",
            IDF_ERR,
            "the DHCP server (access point mode) did not start",
            "restart WiFi in access point mode",
        ),
    ),
    // Flash (spi_flash).
    (
        0x6001,
        e(
            "ESP_ERR_FLASH_OP_FAIL",
            IDF_ERR,
            "a flash read, write or erase failed",
            "check the power supply during writes; re-flash if the data is damaged",
        ),
    ),
    (
        0x6002,
        e(
            "ESP_ERR_FLASH_OP_TIMEOUT",
            IDF_ERR,
            "a flash operation timed out",
            "check the power supply; the flash chip may be failing",
        ),
    ),
    (
        0x6003,
        e(
            "ESP_ERR_FLASH_NOT_INITIALISED",
            IDF_ERR,
            "the flash chip was used before it was set up",
            "call the flash API after start-up has finished",
        ),
    ),
    (
        0x6004,
        e(
            "ESP_ERR_FLASH_UNSUPPORTED_HOST",
            IDF_ERR,
            "this SPI bus cannot do that flash operation",
            "use the main flash bus or a supported host",
        ),
    ),
    (
        0x6005,
        e(
            "ESP_ERR_FLASH_UNSUPPORTED_CHIP",
            IDF_ERR,
            "this flash chip does not support the operation",
            "check the module's flash chip; use a supported mode",
        ),
    ),
    (
        0x6006,
        e(
            "ESP_ERR_FLASH_PROTECTED",
            IDF_ERR,
            "the flash chip's write protection is on",
            "clear the flash write protection (esptool can read and clear the status register)",
        ),
    ),
    // HTTP client (esp_http_client.h).
    (
        0x7001,
        e(
            "ESP_ERR_HTTP_MAX_REDIRECT",
            TLS_ERR,
            "too many HTTP redirects",
            "use the final URL directly",
        ),
    ),
    (
        0x7002,
        e(
            "ESP_ERR_HTTP_CONNECT",
            TLS_ERR,
            "the HTTP(S) connection could not be opened",
            "the esp-tls lines just above say why (DNS, TCP, or a TLS code)",
        ),
    ),
    (
        0x7003,
        e(
            "ESP_ERR_HTTP_WRITE_DATA",
            TLS_ERR,
            "sending the HTTP request failed",
            "the connection dropped; retry and check the signal",
        ),
    ),
    (
        0x7004,
        e(
            "ESP_ERR_HTTP_FETCH_HEADER",
            TLS_ERR,
            "the server's response headers could not be read",
            "the server closed the connection or sent no answer; check the URL and server",
        ),
    ),
    (
        0x7005,
        e(
            "ESP_ERR_HTTP_INVALID_TRANSPORT",
            TLS_ERR,
            "the URL scheme is not supported in this build",
            "use http:// or https:// and enable HTTPS support in the configuration",
        ),
    ),
    (
        0x7006,
        e(
            "ESP_ERR_HTTP_CONNECTING",
            TLS_ERR,
            "the connection is still being set up (async mode)",
            "call again until it finishes",
        ),
    ),
    (
        0x7007,
        e(
            "ESP_ERR_HTTP_EAGAIN",
            TLS_ERR,
            "no data yet; try again",
            "call again, or raise the timeout",
        ),
    ),
    (
        0x7008,
        e(
            "ESP_ERR_HTTP_CONNECTION_CLOSED",
            TLS_ERR,
            "the server closed the connection",
            "retry; if it always happens, check the request and server",
        ),
    ),
    (
        0x7009,
        e(
            "ESP_ERR_HTTP_NOT_MODIFIED",
            "esp_http_client, all ESP32 chips (ESP-IDF 5.x)",
            "the server answered 304 Not Modified: nothing new",
            "nothing to do",
        ),
    ),
    (
        0x700A,
        e(
            "ESP_ERR_HTTP_RANGE_NOT_SATISFIABLE",
            "esp_http_client, all ESP32 chips (ESP-IDF 5.x)",
            "the server answered 416: the requested byte range is wrong",
            "restart the download from the beginning",
        ),
    ),
    (
        0x700B,
        e(
            "ESP_ERR_HTTP_READ_TIMEOUT",
            "esp_http_client, all ESP32 chips (ESP-IDF 5.x)",
            "reading the response timed out",
            "raise the timeout, or check the server and signal",
        ),
    ),
    (
        0x700C,
        e(
            "ESP_ERR_HTTP_INCOMPLETE_DATA",
            "esp_http_client, all ESP32 chips (ESP-IDF 5.x)",
            "the response ended before all the data arrived",
            "retry; check the signal and the server",
        ),
    ),
    (
        0x700D,
        e(
            "ESP_ERR_HTTP_REDIRECT_DOWNGRADE",
            "esp_http_client, all ESP32 chips (recent ESP-IDF)",
            "an https:// URL redirected to plain http://, which was blocked",
            "use a URL that stays on https",
        ),
    ),
    (
        0x700E,
        e(
            "ESP_ERR_HTTP_HEADER_TOO_LONG",
            "esp_http_client, all ESP32 chips (recent ESP-IDF)",
            "a request header is bigger than the send buffer",
            "raise buffer_size_tx in the client config, or shorten the header",
        ),
    ),
    // esp-tls (esp_tls_errors.h).
    (
        0x8000,
        e(
            "ESP_ERR_ESP_TLS_BASE",
            TLS_ERR,
            "the start of the esp-tls error range",
            "read the esp-tls lines around it",
        ),
    ),
    (
        0x8001,
        e(
            "ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME",
            TLS_ERR,
            "DNS could not find the server name",
            "check the endpoint spelling (xxxx-ats.iot.<region>.amazonaws.com) and that the WiFi network gives a working DNS server",
        ),
    ),
    (
        0x8002,
        e(
            "ESP_ERR_ESP_TLS_CANNOT_CREATE_SOCKET",
            TLS_ERR,
            "no socket could be created: too many open sockets or no memory",
            "close old connections before reconnecting; check free heap",
        ),
    ),
    (
        0x8003,
        e(
            "ESP_ERR_ESP_TLS_UNSUPPORTED_PROTOCOL_FAMILY",
            TLS_ERR,
            "the address family (IPv4/IPv6) is not supported",
            "use an IPv4 endpoint, or enable IPv6 in lwIP",
        ),
    ),
    (
        0x8004,
        e(
            "ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST",
            TLS_ERR,
            "the TCP connection to the server failed",
            "check the port (8883 for MQTT, 443 with ALPN), and that the network lets that port out",
        ),
    ),
    (
        0x8005,
        e(
            "ESP_ERR_ESP_TLS_SOCKET_SETOPT_FAILED",
            TLS_ERR,
            "setting a socket option failed",
            "check the esp-tls config (timeouts, keep-alive, interface)",
        ),
    ),
    (
        0x8006,
        e(
            "ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT",
            TLS_ERR,
            "the TCP connection timed out",
            "check the signal, the endpoint and that the network lets the port out",
        ),
    ),
    (
        0x8007,
        e(
            "ESP_ERR_ESP_TLS_SE_FAILED",
            TLS_ERR,
            "the secure element (ATECC608) operation failed",
            "check the secure element wiring and that it was provisioned",
        ),
    ),
    (
        0x8008,
        e(
            "ESP_ERR_ESP_TLS_TCP_CLOSED_FIN",
            TLS_ERR,
            "the server closed the TCP connection cleanly: AWS IoT does this when it refuses the client",
            "in AWS IoT, check the certificate is ACTIVE, attached to the thing, and has a policy that allows iot:Connect for this client id",
        ),
    ),
    (
        0x8009,
        e(
            "ESP_ERR_ESP_TLS_SERVER_HANDSHAKE_TIMEOUT",
            TLS_ERR,
            "the TLS handshake timed out",
            "check the signal and the clock; raise the timeout on slow links",
        ),
    ),
    (
        0x8010,
        e(
            "ESP_ERR_MBEDTLS_CERT_PARTLY_OK",
            TLS_ERR,
            "only some certificates in the bundle could be parsed",
            "check each PEM block is complete (BEGIN/END lines, no stray characters)",
        ),
    ),
    (
        0x8011,
        e(
            "ESP_ERR_MBEDTLS_CTR_DRBG_SEED_FAILED",
            TLS_ERR,
            "the random number generator could not be seeded",
            "retry; start WiFi first so the hardware RNG has entropy",
        ),
    ),
    (
        0x8012,
        e(
            "ESP_ERR_MBEDTLS_SSL_SET_HOSTNAME_FAILED",
            TLS_ERR,
            "the server name could not be set for TLS",
            "check the host name is not empty or too long",
        ),
    ),
    (
        0x8013,
        e(
            "ESP_ERR_MBEDTLS_SSL_CONFIG_DEFAULTS_FAILED",
            TLS_ERR,
            "the default TLS settings could not be applied",
            "check free heap",
        ),
    ),
    (
        0x8014,
        e(
            "ESP_ERR_MBEDTLS_SSL_CONF_ALPN_PROTOCOLS_FAILED",
            TLS_ERR,
            "the ALPN protocol list could not be set",
            "check ALPN is enabled in mbedTLS; for AWS IoT on port 443 use \"x-amzn-mqtt-ca\"",
        ),
    ),
    (
        0x8015,
        e(
            "ESP_ERR_MBEDTLS_X509_CRT_PARSE_FAILED",
            TLS_ERR,
            "a certificate (root CA or device certificate) could not be parsed",
            "check it is a complete PEM with BEGIN/END lines and that the string ends with a null byte",
        ),
    ),
    (
        0x8016,
        e(
            "ESP_ERR_MBEDTLS_SSL_CONF_OWN_CERT_FAILED",
            TLS_ERR,
            "the device certificate and private key could not be used together",
            "check the private key belongs to the device certificate",
        ),
    ),
    (
        0x8017,
        e(
            "ESP_ERR_MBEDTLS_SSL_SETUP_FAILED",
            TLS_ERR,
            "setting up the TLS session failed, usually out of memory",
            "free heap before connecting (a TLS session needs about 40 KB)",
        ),
    ),
    (
        0x8018,
        e(
            "ESP_ERR_MBEDTLS_SSL_WRITE_FAILED",
            TLS_ERR,
            "sending data over TLS failed: the connection dropped",
            "reconnect; read the mbedTLS code on the line",
        ),
    ),
    (
        0x8019,
        e(
            "ESP_ERR_MBEDTLS_PK_PARSE_KEY_FAILED",
            TLS_ERR,
            "the private key could not be parsed",
            "check it is the complete PEM private key (not the public key or certificate) and not password-protected",
        ),
    ),
    (
        0x801A,
        e(
            "ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED",
            TLS_ERR,
            "the TLS handshake failed",
            "read the mbedTLS code and verify flags on the nearby lines",
        ),
    ),
    (
        0x801B,
        e(
            "ESP_ERR_MBEDTLS_SSL_CONF_PSK_FAILED",
            TLS_ERR,
            "the pre-shared key could not be set",
            "check the PSK and its identity",
        ),
    ),
    (
        0x801C,
        e(
            "ESP_ERR_MBEDTLS_SSL_TICKET_SETUP_FAILED",
            TLS_ERR,
            "setting up TLS session tickets failed",
            "check free heap",
        ),
    ),
    (
        0x801D,
        e(
            "ESP_ERR_MBEDTLS_SSL_READ_FAILED",
            TLS_ERR,
            "reading data over TLS failed: the connection dropped",
            "reconnect; read the mbedTLS code on the line",
        ),
    ),
    (
        0x9001,
        e(
            "ESP_ERR_HTTPS_OTA_IN_PROGRESS",
            "esp_https_ota, all ESP32 chips (ESP-IDF)",
            "the HTTPS OTA is still running",
            "keep calling esp_https_ota_perform() until it finishes",
        ),
    ),
];
