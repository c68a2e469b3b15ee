// Values the browser test config defines.
declare const __FACEREC_ORL_URL__: string;
