from audioarticles.cli import main

main()
