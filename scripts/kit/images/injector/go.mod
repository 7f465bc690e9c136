module sidecarlabs.local/injector

go 1.22
