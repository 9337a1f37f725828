"""Files and workbooks: safe writes, the zip guard, the sheet reader and its column vocabulary, data
files and where shipped data is found."""
