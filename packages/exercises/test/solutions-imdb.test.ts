import { describeSolutions } from "./solutions-regrade";

describeSolutions("imdb");
