# The module is loaded, logged its version, and its KUnit suites ran during insmod.
grep -q '^ofgroup ' /proc/modules
dmesg | grep -q "ofgroup 0.1.0 loaded"
dmesg | grep -q 'KTAP version 1'
