#include <cstdio>

#include "daemon/cli.h"

int main(int argc, char** argv) { return blobwatch::daemon::runCli(argc, argv, stdout, stderr); }
