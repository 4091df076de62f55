"""Development tools run as their own processes (demo and test counterparts); production code never imports them."""
