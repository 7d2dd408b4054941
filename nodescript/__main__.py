from nodescript.cli import run

run()
