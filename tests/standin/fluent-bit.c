/* A stand-in for fluent-bit, built with `gcc -static` so that it runs where nothing else is:
 * prints its PID, its arguments and the config given with -c, then exits 0. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    printf("pid %d\n", (int)getpid());
    for (int i = 0; i < argc; i++) printf("arg %s\n", argv[i]);
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "-c") != 0) continue;
        FILE *config = fopen(argv[i + 1], "r");
        if (!config) { perror(argv[i + 1]); return 1; }
        char buffer[4096];
        size_t n;
        printf("config\n");
        while ((n = fread(buffer, 1, sizeof buffer, config)) > 0) fwrite(buffer, 1, n, stdout);
        fclose(config);
        break;
    }
    return 0;
}
