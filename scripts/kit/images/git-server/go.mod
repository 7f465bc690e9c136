module sidecarlabs.local/git-server

go 1.22
