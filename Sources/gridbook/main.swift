import GridbookCLI

Gridbook.main()
