# tests/gdb/session1.gdb: the first half of the gdb-multiarch session that
# tools/gdb-test.sh drives against tests/guest/gdbdemo.c (2 vCPUs).  The
# driver greps the output for the markers printed here.
set pagination off
set confirm off
set remotetimeout 20
echo MARK attached\n
info threads
break gdbdemo_compute
continue
echo MARK args\n
info args
printf "MARK thread %d\n", $_thread
info threads
hbreak gdbdemo_sum
continue
up
echo MARK array\n
print squares
down
printf "MARK pc-before %lx\n", $pc
stepi
printf "MARK pc-after %lx\n", $pc
set var gdbdemo_verdict = 42
printf "MARK verdict %d\n", gdbdemo_verdict
