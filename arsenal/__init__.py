"""Arsenal profiles: which weapons an armed group is reported with, from where, supplied by whom, with the evidence."""
