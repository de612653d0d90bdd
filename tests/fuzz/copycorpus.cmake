# cmake -DSEEDS=<seed folder> -DWORK=<work folder> -P copycorpus.cmake: replaces WORK with a copy of SEEDS, so that a
# fuzzer run never writes into the source tree and every ctest run starts from the same seeds.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
file(GLOB seeds "${SEEDS}/*")
file(COPY ${seeds} DESTINATION "${WORK}")
