// The example app's own test suite (examples/app-test) runs in npm test through this file.
import "../../examples/app-test/contacts-app.test.ts";
