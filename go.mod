module netprog

go 1.25
