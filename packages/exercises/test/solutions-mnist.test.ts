import { describeSolutions } from "./solutions-regrade";

describeSolutions("mnist");
