/* A sketch-shaped program for the ESP8266 crash-decoding test: compiled at test time by
 * Debian's xtensa-lx106-elf-gcc into a real lx106 ELF with DWARF, with its code where the
 * Arduino core links a sketch (flash-mapped at 0x40201010, IRAM at 0x40100000). The
 * test builds a crash report from the addresses of these functions and checks that
 * thingflash names each one as binutils' addr2line does. */

struct sensor {
    int value;
};

static struct sensor *sensors[4];

int read_sensor(int i)
{
    /* sensors[1] is never set: the load faults, as Exception (28) does on a board. */
    return sensors[i]->value;
}

int publish(int value)
{
    return value * 2 + 1;
}

void setup(void)
{
    sensors[0] = 0;
}

void loop(void)
{
    volatile int v = read_sensor(1);
    publish(v);
}

void __attribute__((section(".iram1.text"))) on_timer(void)
{
    sensors[2] = 0;
}

/* In IRAM, as every ESP8266 image's entry point is: the ROM loads the image's RAM
 * segments and jumps there (esptool's elf2image writes this address into the header). */
void __attribute__((section(".iram1.text"))) _start(void)
{
    setup();
    for (;;) {
        loop();
        on_timer();
    }
}
