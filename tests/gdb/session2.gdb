# tests/gdb/session2.gdb: after the driver's read of an unmapped address
# (an error gdb must report while the stub keeps answering).
printf "MARK alive pc %lx\n", $pc
delete
detach
echo MARK detached\n
