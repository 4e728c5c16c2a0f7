module example.com/calculator

go 1.19
