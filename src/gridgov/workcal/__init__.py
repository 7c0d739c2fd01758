"""The working-time calendar: Chinese public holidays and make-up working days as data, working
hours, and deadline arithmetic in working time."""
