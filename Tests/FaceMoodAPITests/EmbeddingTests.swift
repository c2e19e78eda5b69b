import FaceMood
