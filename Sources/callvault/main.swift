import CallvaultCLI

await CallvaultMain.run()
