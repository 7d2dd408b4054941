from nodescript.cli import main

main()
