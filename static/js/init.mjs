// Loaded as a module, so browsers too old for GOV.UK Frontend skip it and get the plain pages.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
