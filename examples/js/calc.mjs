import { Coordinator } from 'sabq';

const c = await Coordinator.create({ workers: 1 });
await c.load('calc', new URL('../../build/plugins/calc.wasm', import.meta.url)); // compiled once
const calc = c.spawn('calc');                        // stdin, stdout, stderr are sabq pipes
const answers = calc.stdout.getReader();
await calc.write('6 * 7\n');                         // calc's fgets() returns in its worker
console.log(new TextDecoder().decode((await answers.read()).value).trim());
calc.closeStdin();                                   // end of file: calc exits
console.log('exit code', await calc.exit);
await c.close();
