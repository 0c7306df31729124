#include "app/cli.h"

int main(int argc, char** argv) { return postured::app::runMain(argc, argv); }
