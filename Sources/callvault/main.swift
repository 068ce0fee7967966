import CallvaultCLI

CallvaultMain.run()
