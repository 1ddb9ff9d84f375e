// Renderer entry: Pinia, push subscriptions, then the app shell.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { connectSubscriptions } from './ipc/subscriptions'
import { useSimStore } from './stores/sim'
import './styles.css'

const app = createApp(App)
app.use(createPinia())
connectSubscriptions()
void useSimStore().load()
app.mount('#app')
