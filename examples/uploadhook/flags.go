package main

import "os"

// vfsCreate opens a new file for writing, replacing an old one.
const vfsCreate = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
